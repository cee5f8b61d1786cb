package io.tierflow.tenant.archive;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.tierflow.events.tenant.TenantExportProgress;
import io.tierflow.events.tenant.TenantExported;
import io.tierflow.events.tenant.TenantMigrated.Checksum;
import io.tierflow.tenant.archive.TenantExport.Part;
import io.tierflow.tenant.archive.TenantExport.PartStatus;
import io.tierflow.tenant.archive.TenantExport.Status;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Exports and their per-service parts. */
@Repository
class ExportRepository {

	private static final String COLUMNS = "id, tenant_id, status, reason, requested_by, requested_at, finished_at";

	static final TypeReference<Map<String, Checksum>> TABLES = new TypeReference<>() {
	};

	private final JdbcClient jdbc;

	private final JsonMapper json;

	ExportRepository(JdbcClient jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	void insert(UUID id, UUID tenantId, String requestedBy, List<String> services) {
		this.jdbc.sql("insert into tenant_export (id, tenant_id, status, requested_by) values (?, ?, ?, ?)")
			.params(id, tenantId, Status.RUNNING.name(), requestedBy)
			.update();
		this.jdbc.sql("insert into tenant_export_part (export_id, service) select ?, s from unnest(?::text[]) as s")
			.params(id, services.toArray(String[]::new))
			.update();
	}

	Optional<Row> find(UUID id) {
		return this.jdbc.sql("select " + COLUMNS + " from tenant_export where id = ?")
			.param(id)
			.query(this::row)
			.optional();
	}

	/**
	 * Reads the export with its row share-locked: it is not removed before the caller
	 * ends.
	 */
	Optional<Row> findForShare(UUID id) {
		return this.jdbc.sql("select " + COLUMNS + " from tenant_export where id = ? for share")
			.param(id)
			.query(this::row)
			.optional();
	}

	/** Locks the export's row for a change of its status. */
	Optional<Row> findForUpdate(UUID id) {
		return this.jdbc.sql("select " + COLUMNS + " from tenant_export where id = ? for update")
			.param(id)
			.query(this::row)
			.optional();
	}

	/** The tenant's running export, if any. */
	Optional<Row> running(UUID tenantId) {
		return this.jdbc.sql("select " + COLUMNS + " from tenant_export where tenant_id = ? and status = ?")
			.params(tenantId, Status.RUNNING.name())
			.query(this::row)
			.optional();
	}

	/** Whether no service has answered the export for {@code silence}. */
	boolean silentFor(UUID id, Duration silence) {
		return this.jdbc
			.sql("select greatest(e.requested_at, max(p.updated_at)) < now() - make_interval(secs => ?)"
					+ " from tenant_export e join tenant_export_part p on p.export_id = e.id where e.id = ?"
					+ " group by e.requested_at")
			.params(silence.toMillis() / 1000.0, id)
			.query(Boolean.class)
			.single();
	}

	/**
	 * The tenant's finished exports beyond the newest {@code keep}, which no running
	 * import reads.
	 */
	List<UUID> beyondNewest(UUID tenantId, int keep) {
		return this.jdbc
			.sql("select id from tenant_export e where tenant_id = ? and status <> ? and not exists"
					+ " (select 1 from tenant_import i where i.export_id = e.id and i.status = 'RUNNING')"
					+ " order by requested_at desc, id desc offset ?")
			.params(tenantId, Status.RUNNING.name(), keep)
			.query(UUID.class)
			.list();
	}

	/** A page of the tenant's exports, newest first. */
	List<Row> newest(UUID tenantId, int page, int size) {
		return this.jdbc
			.sql("select " + COLUMNS + " from tenant_export where tenant_id = ?"
					+ " order by requested_at desc, id desc limit ? offset ?")
			.params(tenantId, size, (long) page * size)
			.query(this::row)
			.list();
	}

	/** Every export of the tenant. */
	List<UUID> ofTenant(UUID tenantId) {
		return this.jdbc.sql("select id from tenant_export where tenant_id = ?")
			.param(tenantId)
			.query(UUID.class)
			.list();
	}

	/**
	 * Deletes exports and their parts.
	 * @return rows deleted: parts, then exports
	 */
	long[] delete(Collection<UUID> ids) {
		if (ids.isEmpty()) {
			return new long[] { 0, 0 };
		}
		String[] array = ids.stream().map(UUID::toString).toArray(String[]::new);
		long parts = this.jdbc.sql("delete from tenant_export_part where export_id = any(?::uuid[])")
			.param(array)
			.update();
		long exports = this.jdbc.sql("delete from tenant_export where id = any(?::uuid[])").param(array).update();
		return new long[] { parts, exports };
	}

	List<Part> parts(UUID exportId) {
		return this.jdbc.sql("select * from tenant_export_part where export_id = ? order by service")
			.param(exportId)
			.query((rs, i) -> part(rs))
			.list();
	}

	/**
	 * Records a service's progress, unless its part is final already; the counts only
	 * grow.
	 * @return whether a part was updated
	 */
	boolean recordProgress(TenantExportProgress p) {
		return this.jdbc
			.sql("update tenant_export_part set status = ?, rows_written = greatest(rows_written, ?),"
					+ " bytes_written = greatest(bytes_written, ?), updated_at = now()"
					+ " where export_id = ? and service = ? and status in ('PENDING', 'RUNNING')")
			.params(PartStatus.RUNNING.name(), p.rowsWritten(), p.bytesWritten(), p.exportId(), p.service())
			.update() > 0;
	}

	/**
	 * Records how a service's part ended, unless it is final already.
	 * @return whether a part was updated
	 */
	boolean recordResult(TenantExported e) {
		return this.jdbc
			.sql("update tenant_export_part set status = ?, rows_written = ?, bytes_written = ?, schema_version = ?,"
					+ " tables = ?::jsonb, reason = ?, updated_at = now()"
					+ " where export_id = ? and service = ? and status in ('PENDING', 'RUNNING')")
			.params((e.succeeded() ? PartStatus.SUCCEEDED : PartStatus.FAILED).name(), e.rowsWritten(),
					e.bytesWritten(), e.schemaVersion(),
					(e.tables() != null) ? this.json.writeValueAsString(e.tables()) : null,
					e.succeeded() ? null : (e.reason() != null) ? e.reason() : "no reason given", e.exportId(),
					e.service())
			.update() > 0;
	}

	/** Moves the export to a new status; once final, records when. */
	void updateStatus(UUID id, Status status, String reason) {
		this.jdbc
			.sql("update tenant_export set status = ?, reason = ?,"
					+ " finished_at = case when ? then now() else finished_at end where id = ?")
			.params(status.name(), reason, status != Status.RUNNING, id)
			.update();
	}

	private Row row(ResultSet rs, int i) throws SQLException {
		return new Row(rs.getObject("id", UUID.class), rs.getObject("tenant_id", UUID.class),
				Status.valueOf(rs.getString("status")), rs.getString("reason"), rs.getString("requested_by"),
				rs.getObject("requested_at", OffsetDateTime.class), rs.getObject("finished_at", OffsetDateTime.class));
	}

	private Part part(ResultSet rs) throws SQLException {
		String tables = rs.getString("tables");
		return new Part(rs.getString("service"), PartStatus.valueOf(rs.getString("status")), rs.getLong("rows_written"),
				rs.getLong("bytes_written"), rs.getString("schema_version"),
				(tables != null) ? this.json.readValue(tables, TABLES) : null, rs.getString("reason"),
				rs.getObject("updated_at", OffsetDateTime.class));
	}

	/** A tenant_export row. */
	record Row(UUID id, UUID tenantId, Status status, String reason, String requestedBy, OffsetDateTime requestedAt,
			OffsetDateTime finishedAt) {

		TenantExport view(List<Part> parts) {
			return new TenantExport(this.id, this.tenantId, this.status, this.reason, this.requestedBy,
					this.requestedAt, this.finishedAt, parts.stream().mapToLong(Part::rowsWritten).sum(),
					parts.stream().mapToLong(Part::bytesWritten).sum(), parts);
		}

	}

}
