package io.tierflow.tenant.archive;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.tierflow.events.tenant.TenantImported;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenant.archive.TenantImport.Part;
import io.tierflow.tenant.archive.TenantImport.PartStatus;
import io.tierflow.tenant.archive.TenantImport.Status;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Imports and their per-service parts. */
@Repository
class ImportRepository {

	private static final String COLUMNS = "id, tenant_id, archive_id, export_id, source_tenant_id, status, reason,"
			+ " requested_by, requested_at, finished_at";

	private final JdbcClient jdbc;

	private final JsonMapper json;

	ImportRepository(JdbcClient jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	void insert(UUID id, UUID tenantId, UUID archiveId, UUID exportId, UUID sourceTenantId, String requestedBy,
			List<String> services) {
		this.jdbc
			.sql("insert into tenant_import (id, tenant_id, archive_id, export_id, source_tenant_id, status,"
					+ " requested_by) values (?, ?, ?, ?, ?, ?, ?)")
			.params(id, tenantId, archiveId, exportId, sourceTenantId, Status.RUNNING.name(), requestedBy)
			.update();
		this.jdbc.sql("insert into tenant_import_part (import_id, service) select ?, s from unnest(?::text[]) as s")
			.params(id, services.toArray(String[]::new))
			.update();
	}

	Optional<Row> find(UUID id) {
		return this.jdbc.sql("select " + COLUMNS + " from tenant_import where id = ?")
			.param(id)
			.query(this::row)
			.optional();
	}

	/** Locks the import's row for a change of its status. */
	Optional<Row> findForUpdate(UUID id) {
		return this.jdbc.sql("select " + COLUMNS + " from tenant_import where id = ? for update")
			.param(id)
			.query(this::row)
			.optional();
	}

	/** Every import that created the tenant. */
	List<Row> ofTenant(UUID tenantId) {
		return this.jdbc.sql("select " + COLUMNS + " from tenant_import where tenant_id = ?")
			.param(tenantId)
			.query(this::row)
			.list();
	}

	List<Part> parts(UUID importId) {
		return this.jdbc.sql("select * from tenant_import_part where import_id = ? order by service")
			.param(importId)
			.query((rs, i) -> part(rs))
			.list();
	}

	/**
	 * Records how a service's part ended, unless it is final already.
	 * @return whether a part was updated
	 */
	boolean recordResult(TenantImported r) {
		return this.jdbc
			.sql("update tenant_import_part set status = ?, failed_table = ?, reason = ?, tier = ?, isolation = ?,"
					+ " cluster = ?, tables = ?::jsonb, rows_loaded = ?, updated_at = now()"
					+ " where import_id = ? and service = ? and status = 'PENDING'")
			.params((r.succeeded() ? PartStatus.SUCCEEDED : PartStatus.FAILED).name(), r.table(),
					r.succeeded() ? null : (r.reason() != null) ? r.reason() : "no reason given",
					(r.tier() != null) ? r.tier().name() : null, (r.isolation() != null) ? r.isolation().name() : null,
					r.cluster(), (r.tables() != null) ? this.json.writeValueAsString(r.tables()) : null, r.rowsLoaded(),
					r.importId(), r.service())
			.update() > 0;
	}

	/** Moves the import to a new status; once final, records when. */
	void updateStatus(UUID id, Status status, String reason) {
		this.jdbc
			.sql("update tenant_import set status = ?, reason = ?,"
					+ " finished_at = case when ? then now() else finished_at end where id = ?")
			.params(status.name(), reason, status != Status.RUNNING, id)
			.update();
	}

	/**
	 * Deletes imports and their parts.
	 * @return rows deleted: parts, then imports
	 */
	long[] delete(Collection<UUID> ids) {
		if (ids.isEmpty()) {
			return new long[] { 0, 0 };
		}
		String[] array = ids.stream().map(UUID::toString).toArray(String[]::new);
		long parts = this.jdbc.sql("delete from tenant_import_part where import_id = any(?::uuid[])")
			.param(array)
			.update();
		long imports = this.jdbc.sql("delete from tenant_import where id = any(?::uuid[])").param(array).update();
		return new long[] { parts, imports };
	}

	/**
	 * Forgets that other tenants were imported from archives of {@code tenantId}: its id
	 * is erased everywhere but in its tombstone.
	 */
	void forgetSource(UUID tenantId) {
		this.jdbc.sql("update tenant_import set source_tenant_id = null where source_tenant_id = ?")
			.param(tenantId)
			.update();
	}

	private Row row(ResultSet rs, int i) throws SQLException {
		return new Row(rs.getObject("id", UUID.class), rs.getObject("tenant_id", UUID.class),
				rs.getObject("archive_id", UUID.class), rs.getObject("export_id", UUID.class),
				rs.getObject("source_tenant_id", UUID.class), Status.valueOf(rs.getString("status")),
				rs.getString("reason"), rs.getString("requested_by"),
				rs.getObject("requested_at", OffsetDateTime.class), rs.getObject("finished_at", OffsetDateTime.class));
	}

	private Part part(ResultSet rs) throws SQLException {
		String tables = rs.getString("tables");
		String tier = rs.getString("tier");
		return new Part(rs.getString("service"), PartStatus.valueOf(rs.getString("status")),
				rs.getString("failed_table"), rs.getString("reason"), (tier != null) ? Tier.valueOf(tier) : null,
				rs.getString("isolation"), rs.getString("cluster"),
				(tables != null) ? this.json.readValue(tables, ExportRepository.TABLES) : null,
				rs.getLong("rows_loaded"), rs.getObject("updated_at", OffsetDateTime.class));
	}

	/** A tenant_import row. */
	record Row(UUID id, UUID tenantId, UUID archiveId, UUID exportId, UUID sourceTenantId, Status status, String reason,
			String requestedBy, OffsetDateTime requestedAt, OffsetDateTime finishedAt) {

		/** Whether the archive is the import's own (uploaded), not an export's. */
		boolean ownsArchive() {
			return this.exportId == null;
		}

		TenantImport view(List<Part> parts) {
			return new TenantImport(this.id, this.tenantId, this.archiveId, this.exportId, this.sourceTenantId,
					this.status, this.reason, this.requestedBy, this.requestedAt, this.finishedAt, parts);
		}

	}

}
