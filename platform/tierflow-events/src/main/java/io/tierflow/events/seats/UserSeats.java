package io.tierflow.events.seats;

import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.function.Consumer;

import io.tierflow.events.DomainEvent;
import io.tierflow.events.EventTypes;
import io.tierflow.events.MalformedEventException;
import io.tierflow.events.inbox.EventInbox;
import io.tierflow.events.tenant.UserCreated;
import io.tierflow.tenancy.context.TenantContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.messaging.Message;

/**
 * A tenant's seats in a service: one per user, added when {@code user.created} arrives
 * (exactly once, through the inbox), so that quotas granted per user grow with the
 * tenant's users. A service that grants per-user quota binds this as a Spring Cloud
 * Stream function on {@code tierflow.user} and keeps the table in its tenant stores:
 *
 * <pre>
 * create table user_seat (
 *     tenant_id  uuid        not null,
 *     user_id    uuid        not null,
 *     event_id   text        not null,
 *     created_at timestamptz not null,
 *     primary key (tenant_id, user_id)
 * );
 * </pre>
 */
public class UserSeats implements Consumer<Message<byte[]>> {

	private static final Logger log = LoggerFactory.getLogger(UserSeats.class);

	private final String consumer;

	private final EventInbox inbox;

	private final JdbcClient jdbc;

	private final JsonMapper json;

	/**
	 * @param service the service's name, naming its inbox consumer
	 */
	public UserSeats(String service, EventInbox inbox, JdbcClient jdbc, JsonMapper json) {
		this.consumer = service + ".seats";
		this.inbox = inbox;
		this.jdbc = jdbc;
		this.json = json;
	}

	@Override
	public void accept(Message<byte[]> message) {
		DomainEvent event = DomainEvent.from(message);
		if (!EventTypes.USER_CREATED.equals(event.type())) {
			return;
		}
		UserCreated user = event.data(this.json, UserCreated.class);
		if (user.userId() == null || !event.tenantId().equals(user.tenantId())) {
			throw new MalformedEventException("Event " + event.id() + " names no user of tenant " + event.tenantId());
		}
		OffsetDateTime at = (event.time() != null) ? event.time() : OffsetDateTime.now();
		boolean added = this.inbox.handleOnce(this.consumer, event,
				() -> this.jdbc
					.sql("insert into user_seat (tenant_id, user_id, event_id, created_at) values (?, ?, ?, ?)"
							+ " on conflict do nothing")
					.params(event.tenantId(), user.userId(), event.id(), at)
					.update());
		if (added) {
			log.info("Seat added for user {} of tenant {}", user.userId(), event.tenantId());
		}
	}

	/**
	 * Seats of the current tenant. Runs in the caller's transaction on the tenant's
	 * store.
	 */
	public int count() {
		UUID tenant = TenantContext.require();
		return this.jdbc.sql("select count(*) from user_seat where tenant_id = ?")
			.param(tenant)
			.query(Integer.class)
			.single();
	}

}
