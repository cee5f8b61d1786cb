package io.tierflow.tenant.notification;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import com.github.f4b6a3.uuid.UuidCreator;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Notifications, by tenant and recipient. */
@Repository
class NotificationRepository {

	private final JdbcClient jdbc;

	NotificationRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * @return false when the tenant is unknown here
	 */
	boolean insert(UUID tenantId, String recipient, String kind, String title, String body, String eventId) {
		return this.jdbc
			.sql("insert into notification (tenant_id, id, recipient, kind, title, body, event_id)"
					+ " select id, ?, ?, ?, ?, ?, ? from tenant where id = ?")
			.params(UuidCreator.getTimeOrderedEpoch(), recipient, kind, title, body, eventId, tenantId)
			.update() == 1;
	}

	List<Notification> page(UUID tenantId, String recipient, int limit, long offset) {
		return this.jdbc
			.sql("select id, kind, title, body, event_id, created_at, read_at from notification"
					+ " where tenant_id = ? and recipient = ? order by created_at desc, id desc limit ? offset ?")
			.params(tenantId, recipient, limit, offset)
			.query((rs, i) -> new Notification(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
					rs.getString(4), rs.getString(5), rs.getObject(6, OffsetDateTime.class),
					rs.getObject(7, OffsetDateTime.class)))
			.list();
	}

	/**
	 * @return the notifications removed
	 */
	int deleteAllOf(UUID tenantId, String recipient) {
		return this.jdbc.sql("delete from notification where tenant_id = ? and recipient = ?")
			.params(tenantId, recipient)
			.update();
	}

	/**
	 * @return false when the recipient has no such notification
	 */
	boolean markRead(UUID tenantId, String recipient, UUID id) {
		return this.jdbc
			.sql("update notification set read_at = coalesce(read_at, now())"
					+ " where tenant_id = ? and recipient = ? and id = ?")
			.params(tenantId, recipient, id)
			.update() == 1;
	}

}
