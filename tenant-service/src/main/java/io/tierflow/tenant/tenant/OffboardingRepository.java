package io.tierflow.tenant.tenant;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.tierflow.tenant.tenant.ErasureCertificate.ServiceErasure;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The offboarding state of tenants: grace periods, each service's erase report, and the
 * removal of the tenant's own rows in tenant-service.
 */
@Repository
class OffboardingRepository {

	/** A service's placement while it erases the tenant. */
	static final String ERASING = "ERASING";

	/** A service's placement once it reported the tenant erased: its tombstone. */
	static final String ERASED = "ERASED";

	private final JdbcClient jdbc;

	private final JsonMapper json;

	OffboardingRepository(JdbcClient jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	/**
	 * Records the deletion: the tenant takes {@code status}, and its erase is due after
	 * {@code grace}.
	 * @return when the deletion was requested
	 */
	OffsetDateTime markDeleted(UUID id, TenantStatus status, Duration grace) {
		return this.jdbc
			.sql("update tenant set status = ?, delete_requested_at = now(),"
					+ " erase_after = now() + make_interval(secs => ?), updated_at = now() where id = ?"
					+ " returning delete_requested_at")
			.params(status.name(), grace.toMillis() / 1000.0, id)
			.query(OffsetDateTime.class)
			.single();
	}

	/** Takes the tenant back from its grace period: ACTIVE, nothing due. */
	void restore(UUID id) {
		this.jdbc
			.sql("update tenant set status = ?, status_reason = null, delete_requested_at = null, erase_after = null,"
					+ " updated_at = now() where id = ?")
			.params(TenantStatus.ACTIVE.name(), id)
			.update();
	}

	/**
	 * Tenants whose grace period has ended, locked for this transaction. Rows another
	 * instance holds are skipped, so several instances share the work and none waits.
	 */
	List<Due> dueForErase(int limit) {
		return this.jdbc
			.sql("select id, delete_requested_at from tenant where status = ? and erase_after <= now()"
					+ " order by erase_after limit ? for update skip locked")
			.params(TenantStatus.PENDING_ERASE.name(), limit)
			.query((rs, i) -> new Due(rs.getObject(1, UUID.class), rs.getObject(2, OffsetDateTime.class)))
			.list();
	}

	/** The tenant and its placement in each of {@code services} go ERASING. */
	void beginErase(UUID id, List<String> services) {
		this.jdbc.sql("update tenant set status = ?, updated_at = now() where id = ?")
			.params(TenantStatus.ERASING.name(), id)
			.update();
		this.jdbc
			.sql("insert into tenant_service_placement (tenant_id, service, state)"
					+ " select ?, s, ? from unnest(?::text[]) as s"
					+ " on conflict (tenant_id, service) do update set state = excluded.state, updated_at = now()")
			.params(id, ERASING, services.toArray(String[]::new))
			.update();
	}

	/**
	 * Records a service's erase report, unless one is recorded already (a service may
	 * answer more than once, always with the same report).
	 * @param report the report as the service sent it (JSON)
	 * @return whether it was recorded now
	 */
	boolean recordServiceErased(UUID tenantId, String service, String report, OffsetDateTime erasedAt) {
		return this.jdbc
			.sql("update tenant_service_placement set state = ?, erase_report = ?::jsonb, erased_at = ?,"
					+ " updated_at = now() where tenant_id = ? and service = ? and state = ?")
			.params(ERASED, report, erasedAt, tenantId, service, ERASING)
			.update() > 0;
	}

	/** The services whose placement of the tenant is ERASED. */
	Set<String> erasedServices(UUID tenantId) {
		return Set
			.copyOf(this.jdbc.sql("select service from tenant_service_placement where tenant_id = ? and state = ?")
				.params(tenantId, ERASED)
				.query(String.class)
				.list());
	}

	/**
	 * Deletes every row of the tenant in tenant-service but its tombstone: users,
	 * notifications, tier changes and their moves, inbox and outbox (its exports and
	 * imports are the {@link TenantArchives}' to remove).
	 * @return rows deleted per table
	 */
	Map<String, Long> deleteOwnRows(UUID tenantId) {
		Map<String, Long> deleted = new LinkedHashMap<>();
		deleted.put("tier_change_move", delete(
				"delete from tier_change_move where change_id in (select id from tier_change where tenant_id = ?)",
				tenantId));
		deleted.put("tier_change", delete("delete from tier_change where tenant_id = ?", tenantId));
		deleted.put("notification", delete("delete from notification where tenant_id = ?", tenantId));
		// Sign-ins: the users' authorizations (by sign-in name, so before the users), the
		// machine clients' registrations and authorizations, then the clients.
		deleted.put("oauth2_authorization", delete("delete from oauth2_authorization where principal_name in"
				+ " (select t.slug || '/' || u.email from tenant_user u join tenant t on t.id = u.tenant_id"
				+ " where u.tenant_id = ?) or registered_client_id in (select r.id from oauth2_registered_client r"
				+ " join tenant_client c on c.client_id = r.client_id where c.tenant_id = ?)", tenantId, tenantId));
		deleted.put("oauth2_registered_client", delete("delete from oauth2_registered_client where client_id in"
				+ " (select client_id from tenant_client where tenant_id = ?)", tenantId));
		deleted.put("tenant_client", delete("delete from tenant_client where tenant_id = ?", tenantId));
		deleted.put("password_token", delete("delete from password_token where tenant_id = ?", tenantId));
		deleted.put("tenant_user", delete("delete from tenant_user where tenant_id = ?", tenantId));
		deleted.put("inbox", delete("delete from inbox where tenant_id = ?", tenantId));
		deleted.put("outbox", delete("delete from outbox where tenant_id = ?", tenantId));
		return deleted;
	}

	/** What stays of the tenant here: the tenant row and its placements. */
	Map<String, Long> kept(UUID tenantId) {
		Map<String, Long> kept = new LinkedHashMap<>();
		kept.put("tenant", 1L);
		kept.put("tenant_service_placement",
				this.jdbc.sql("select count(*) from tenant_service_placement where tenant_id = ?")
					.param(tenantId)
					.query(Long.class)
					.single());
		return kept;
	}

	/**
	 * Turns the tenant's row into its tombstone: ERASED, name and slug scrubbed, with
	 * tenant-service's own report.
	 */
	void tombstone(UUID id, ErasureCertificate.OwnErasure report) {
		this.jdbc
			.sql("update tenant set status = ?, name = ?, slug = null, status_reason = null, erased_at = now(),"
					+ " erase_report = ?::jsonb, updated_at = now() where id = ?")
			.params(TenantStatus.ERASED.name(), "[erased]", this.json.writeValueAsString(report), id)
			.update();
	}

	/** tenant-service's own erase report, once the tenant is erased. */
	Optional<ErasureCertificate.OwnErasure> ownReport(UUID id) {
		return this.jdbc.sql("select erase_report from tenant where id = ? and erase_report is not null")
			.param(id)
			.query(String.class)
			.optional()
			.map((report) -> this.json.readValue(report, ErasureCertificate.OwnErasure.class));
	}

	/** Each service's erase: its state and, once it answered, its report. */
	List<ServiceErasure> serviceErasures(UUID tenantId) {
		return this.jdbc
			.sql("select service, state, erase_report, erased_at from tenant_service_placement where tenant_id = ?"
					+ " order by service")
			.param(tenantId)
			.query((rs, i) -> {
				String report = rs.getString(3);
				return new ServiceErasure(rs.getString(1), rs.getString(2),
						(report != null) ? this.json.readTree(report) : null, rs.getObject(4, OffsetDateTime.class));
			})
			.list();
	}

	private long delete(String sql, UUID... tenantId) {
		return this.jdbc.sql(sql).params((Object[]) tenantId).update();
	}

	/** A tenant whose grace period has ended. */
	record Due(UUID id, OffsetDateTime deleteRequestedAt) {
	}

}
