package io.tierflow.tenant.tenant;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.tierflow.events.tenant.TenantProvisioned;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenant.tenant.Tenant.ServicePlacement;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The tenant registry. */
@Repository
class TenantRepository {

	private static final String COLUMNS = "id, name, slug, plan, tier, region, status, status_reason, created_at,"
			+ " delete_requested_at, erase_after, erased_at";

	private final JdbcClient jdbc;

	TenantRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	void insert(UUID id, String name, String slug, Plan plan, String region) {
		this.jdbc.sql("insert into tenant (id, name, slug, plan, tier, region, status) values (?, ?, ?, ?, ?, ?, ?)")
			.params(id, name, slug, plan.name(), plan.tier().name(), region, TenantStatus.PROVISIONING.name())
			.update();
	}

	/**
	 * Inserts a tenant with {@code status} unless one has the id already.
	 * @return whether it was inserted
	 */
	boolean insertIfAbsent(UUID id, String name, String slug, Plan plan, String region, TenantStatus status) {
		return this.jdbc
			.sql("insert into tenant (id, name, slug, plan, tier, region, status) values (?, ?, ?, ?, ?, ?, ?)"
					+ " on conflict (id) do nothing")
			.params(id, name, slug, plan.name(), plan.tier().name(), region, status.name())
			.update() > 0;
	}

	/**
	 * Gives an erased tenant's tombstone a new life under the same id: new name, slug and
	 * plan, {@code status}, and the marks of the deletion and erase cleared.
	 */
	void takeOverTombstone(UUID id, String name, String slug, Plan plan, String region, TenantStatus status) {
		this.jdbc
			.sql("update tenant set name = ?, slug = ?, plan = ?, tier = ?, region = ?, status = ?,"
					+ " status_reason = null, delete_requested_at = null, erase_after = null, erased_at = null,"
					+ " erase_report = null, created_at = now(), updated_at = now() where id = ?")
			.params(name, slug, plan.name(), plan.tier().name(), region, status.name(), id)
			.update();
	}

	/**
	 * Sets the tenant's placement in each of {@code services} to PENDING, forgetting
	 * whatever was recorded before (a tombstone's erase reports included).
	 */
	void resetPlacements(UUID tenantId, List<String> services) {
		this.jdbc
			.sql("insert into tenant_service_placement (tenant_id, service, state) select ?, s, 'PENDING'"
					+ " from unnest(?::text[]) as s on conflict (tenant_id, service) do update set state = 'PENDING',"
					+ " tier = null, isolation = null, cluster = null, database_name = null, schema_name = null,"
					+ " epoch = null, reason = null, erase_report = null, erased_at = null, updated_at = now()")
			.params(tenantId, services.toArray(String[]::new))
			.update();
	}

	void insertPendingPlacement(UUID tenantId, String service) {
		this.jdbc.sql("insert into tenant_service_placement (tenant_id, service, state) values (?, ?, 'PENDING')")
			.params(tenantId, service)
			.update();
	}

	Optional<Row> find(UUID id) {
		return this.jdbc.sql("select " + COLUMNS + " from tenant where id = ?").param(id).query(this::row).optional();
	}

	/** Locks the tenant's row for a status change. */
	Optional<Row> findForUpdate(UUID id) {
		return this.jdbc.sql("select " + COLUMNS + " from tenant where id = ? for update")
			.param(id)
			.query(this::row)
			.optional();
	}

	/**
	 * The tenant's status, read with a share lock: a deletion or an erase waits for the
	 * caller's transaction, and the caller for theirs, so what it writes for the tenant
	 * cannot outlive an erase.
	 */
	Optional<TenantStatus> statusForShare(UUID id) {
		return this.jdbc.sql("select status from tenant where id = ? for share")
			.param(id)
			.query((rs, i) -> TenantStatus.valueOf(rs.getString(1)))
			.optional();
	}

	/**
	 * Locks the tenant's row against a concurrent new user (and against a status or plan
	 * change) until the caller's transaction ends. It does not block the inserts that
	 * reference the tenant, whose foreign keys only key-share lock the row.
	 */
	Optional<Row> findForNewUser(UUID id) {
		return this.jdbc.sql("select " + COLUMNS + " from tenant where id = ? for no key update")
			.param(id)
			.query(this::row)
			.optional();
	}

	/** The tenant's status, unlocked. */
	Optional<TenantStatus> status(UUID id) {
		return this.jdbc.sql("select status from tenant where id = ?")
			.param(id)
			.query((rs, i) -> TenantStatus.valueOf(rs.getString(1)))
			.optional();
	}

	/**
	 * Which tenants a listing shows; null parts match every tenant.
	 *
	 * @param text contained in the name, or the start of the slug, case-insensitive
	 */
	record Filter(String text, TenantStatus status, Tier tier, String region) {

	}

	List<Row> page(Filter filter, int limit, long offset) {
		StringBuilder sql = new StringBuilder("select " + COLUMNS + " from tenant where true");
		List<Object> params = new java.util.ArrayList<>();
		if (filter.text() != null) {
			// The text is a literal: LIKE's wildcards in it match themselves.
			String literal = filter.text().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
			sql.append(" and (name ilike ? or slug like ?)");
			params.add("%" + literal + "%");
			params.add(literal.toLowerCase(java.util.Locale.ROOT) + "%");
		}
		if (filter.status() != null) {
			sql.append(" and status = ?");
			params.add(filter.status().name());
		}
		if (filter.tier() != null) {
			sql.append(" and tier = ?");
			params.add(filter.tier().name());
		}
		if (filter.region() != null) {
			sql.append(" and region = ?");
			params.add(filter.region());
		}
		sql.append(" order by created_at, id limit ? offset ?");
		params.add(limit);
		params.add(offset);
		return this.jdbc.sql(sql.toString()).params(params).query(this::row).list();
	}

	void updateStatus(UUID id, TenantStatus status, String reason) {
		this.jdbc.sql("update tenant set status = ?, status_reason = ?, updated_at = now() where id = ?")
			.params(status.name(), reason, id)
			.update();
	}

	List<ServicePlacement> placements(UUID tenantId) {
		return this.jdbc
			.sql("select service, state, tier, isolation, cluster, database_name, schema_name, epoch, reason,"
					+ " erased_at from tenant_service_placement where tenant_id = ? order by service")
			.param(tenantId)
			.query((rs, i) -> new ServicePlacement(rs.getString(1), rs.getString(2),
					(rs.getString(3) != null) ? Tier.valueOf(rs.getString(3)) : null, rs.getString(4), rs.getString(5),
					rs.getString(6), rs.getString(7), (Long) rs.getObject(8), rs.getString(9),
					rs.getObject(10, OffsetDateTime.class)))
			.list();
	}

	void recordPlacement(UUID tenantId, ServicePlacement p) {
		this.jdbc.sql("insert into tenant_service_placement (tenant_id, service, state, tier, isolation, cluster,"
				+ " database_name, schema_name, epoch, reason) values (?,?,?,?,?,?,?,?,?,?)"
				+ " on conflict (tenant_id, service) do update set state = excluded.state, tier = excluded.tier,"
				+ " isolation = excluded.isolation, cluster = excluded.cluster, database_name = excluded.database_name,"
				+ " schema_name = excluded.schema_name, epoch = excluded.epoch, reason = excluded.reason,"
				+ " updated_at = now()")
			.params(tenantId, p.service(), p.state(), (p.tier() != null) ? p.tier().name() : null, p.isolation(),
					p.cluster(), p.database(), p.schema(), p.epoch(), p.reason())
			.update();
	}

	/**
	 * Records how a service's import of the tenant ended, unless the service reported the
	 * tenant READY already (its tenant.provisioned reply, which may come first, carries
	 * more of the placement).
	 */
	void recordImportedPlacement(UUID tenantId, String service, String state, Tier tier, String isolation,
			String cluster, String reason) {
		this.jdbc
			.sql("update tenant_service_placement set state = ?, tier = ?, isolation = ?, cluster = ?, reason = ?,"
					+ " updated_at = now() where tenant_id = ? and service = ? and state <> 'READY'")
			.params(state, (tier != null) ? tier.name() : null, isolation, cluster, reason, tenantId, service)
			.update();
	}

	/** Whether each of {@code services} reported the tenant READY. */
	boolean readyInAll(UUID tenantId, List<String> services) {
		List<ServicePlacement> placements = placements(tenantId);
		return services.stream()
			.allMatch((s) -> placements.stream()
				.anyMatch((p) -> p.service().equals(s) && TenantProvisioned.READY.equals(p.state())));
	}

	/**
	 * Sets every placement of the tenant that is not READY back to PENDING, forgetting
	 * what the failed attempt reported.
	 * @return the placements reset
	 */
	int resetUnreadyPlacements(UUID tenantId) {
		return this.jdbc
			.sql("update tenant_service_placement set state = 'PENDING', tier = null, isolation = null,"
					+ " cluster = null, database_name = null, schema_name = null, epoch = null, reason = null,"
					+ " updated_at = now() where tenant_id = ? and state <> 'READY'")
			.param(tenantId)
			.update();
	}

	/** Moves the tenant to another plan, and with it to that plan's tier. */
	void updatePlan(UUID id, Plan plan) {
		this.jdbc.sql("update tenant set plan = ?, tier = ?, updated_at = now() where id = ?")
			.params(plan.name(), plan.tier().name(), id)
			.update();
	}

	private Row row(ResultSet rs, int i) throws SQLException {
		return new Row(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("slug"),
				Plan.valueOf(rs.getString("plan")), rs.getString("region"),
				TenantStatus.valueOf(rs.getString("status")), rs.getString("status_reason"),
				rs.getObject("created_at", OffsetDateTime.class),
				rs.getObject("delete_requested_at", OffsetDateTime.class),
				rs.getObject("erase_after", OffsetDateTime.class), rs.getObject("erased_at", OffsetDateTime.class));
	}

	/** A registry row. */
	record Row(UUID id, String name, String slug, Plan plan, String region, TenantStatus status, String statusReason,
			OffsetDateTime createdAt, OffsetDateTime deleteRequestedAt, OffsetDateTime eraseAfter,
			OffsetDateTime erasedAt) {
	}

}
