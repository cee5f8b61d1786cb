package io.tierflow.mover;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import io.tierflow.events.DomainEvent;
import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.outbox.Outbox;
import io.tierflow.events.provisioning.ArchiveParticipant;
import io.tierflow.events.tenant.TenantExportProgress;
import io.tierflow.events.tenant.TenantExportRequested;
import io.tierflow.events.tenant.TenantExported;
import io.tierflow.events.tenant.TenantImportRequested;
import io.tierflow.events.tenant.TenantImported;
import io.tierflow.events.tenant.TenantMigrated;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A tenant-data service's part in exports and imports: records each request
 * ({@code tenant_archive_job}) on the consumer thread, runs it with the
 * {@link TenantArchiver} in the background, reports an export's progress at most once a
 * second, and answers the result through the control outbox in the transaction that
 * records it. A redelivered request is answered again with the kept result, or left to
 * the run under way; one whose process died (no heartbeat for {@link #SILENCE}) runs
 * again.
 */
public class ArchiveJobs implements ArchiveParticipant, DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(ArchiveJobs.class);

	static final Duration SILENCE = Duration.ofMinutes(2);

	private static final Duration PROGRESS_PACE = Duration.ofSeconds(1);

	private final String service;

	private final TenantArchiver archiver;

	private final TransactionTemplate controlTx;

	private final JdbcClient control;

	private final Outbox controlOutbox;

	private final JsonMapper json;

	private final ExecutorService jobs;

	public ArchiveJobs(String service, TenantArchiver archiver, TransactionTemplate controlTx, JdbcClient control,
			Outbox controlOutbox, JsonMapper json) {
		this.service = service;
		this.archiver = archiver;
		this.controlTx = controlTx;
		this.control = control;
		this.controlOutbox = controlOutbox;
		this.json = json;
		AtomicInteger threads = new AtomicInteger();
		// Rare, admin-started, mostly waiting on PostgreSQL and the disk: a thread each.
		this.jobs = Executors.newCachedThreadPool((r) -> {
			Thread t = new Thread(r, "tierflow-archive-" + threads.incrementAndGet());
			t.setDaemon(true);
			return t;
		});
	}

	@Override
	public void exportRequested(DomainEvent event, TenantExportRequested request) {
		if (claim(request.exportId(), "EXPORT", request.tenantId(), EventTypes.TENANT_EXPORTED)) {
			this.jobs.execute(() -> runExport(request));
		}
	}

	@Override
	public void importRequested(DomainEvent event, TenantImportRequested request) {
		if (claim(request.importId(), "IMPORT", request.tenantId(), EventTypes.TENANT_IMPORTED)) {
			this.jobs.execute(() -> runImport(request));
		}
	}

	/**
	 * Records the job; false when it is recorded already (its kept result is answered
	 * again, or it is running elsewhere).
	 */
	private boolean claim(UUID job, String kind, UUID tenant, String replyType) {
		Boolean claimed = this.controlTx.execute((s) -> {
			int inserted = this.control
				.sql("insert into tenant_archive_job (job_id, kind, tenant_id, state) values (?, ?, ?, 'RUNNING')"
						+ " on conflict do nothing")
				.params(job, kind, tenant)
				.update();
			if (inserted > 0) {
				return true;
			}
			Optional<Map<String, Object>> row = this.control
				.sql("select state, result, heartbeat_at < now() - ?::interval as dead from tenant_archive_job"
						+ " where job_id = ? and kind = ? for update")
				.params(SILENCE.toSeconds() + " seconds", job, kind)
				.query()
				.listOfRows()
				.stream()
				.findFirst();
			if (row.isEmpty()) {
				return false;
			}
			String state = (String) row.get().get("state");
			if (!"RUNNING".equals(state) && row.get().get("result") != null) {
				Class<?> type = replyType.equals(EventTypes.TENANT_EXPORTED) ? TenantExported.class
						: TenantImported.class;
				Object data = this.json.readValue((String) row.get().get("result"), type);
				this.controlOutbox.append(Topics.TENANT_REPLIES, replyType, tenant, this.service, data);
				return false;
			}
			if (Boolean.TRUE.equals(row.get().get("dead"))) {
				heartbeat(job, kind);
				return true;
			}
			return false;
		});
		return Boolean.TRUE.equals(claimed);
	}

	private void runExport(TenantExportRequested r) {
		MDC.put("tenant", r.tenantId().toString());
		long[] sentAt = { 0 };
		try {
			TenantArchiver.Exported done = this.archiver.export(r.tenantId(), r.exportId(), (rows, bytes) -> {
				long now = System.nanoTime();
				if (now - sentAt[0] >= PROGRESS_PACE.toNanos()) {
					sentAt[0] = now;
					this.controlTx.executeWithoutResult((s) -> {
						heartbeat(r.exportId(), "EXPORT");
						this.controlOutbox.append(Topics.TENANT_REPLIES, EventTypes.TENANT_EXPORT_PROGRESS,
								r.tenantId(), this.service,
								new TenantExportProgress(r.tenantId(), r.exportId(), this.service, rows, bytes));
					});
				}
			});
			Map<String, TenantMigrated.Checksum> tables = new LinkedHashMap<>();
			done.manifest()
				.tables()
				.forEach((t) -> tables.put(t.name(), new TenantMigrated.Checksum(t.rows(), t.checksum())));
			finish(r.exportId(), "EXPORT", true, EventTypes.TENANT_EXPORTED, r.tenantId(),
					new TenantExported(r.tenantId(), r.exportId(), this.service, true, null,
							done.manifest().schemaVersion(), tables, done.rows(), done.bytes()));
		}
		catch (Exception ex) {
			log.warn("Export {} of tenant {} failed in {}: {}", r.exportId(), r.tenantId(), this.service,
					ex.toString());
			finish(r.exportId(), "EXPORT", false, EventTypes.TENANT_EXPORTED, r.tenantId(), new TenantExported(
					r.tenantId(), r.exportId(), this.service, false, reason(ex), null, Map.of(), 0, 0));
		}
		finally {
			MDC.remove("tenant");
		}
	}

	private void runImport(TenantImportRequested r) {
		MDC.put("tenant", r.tenantId().toString());
		try {
			TenantArchiver.Imported done = this.archiver.importPart(r.tenantId(), r.archiveId(), r.tier(), r.region());
			Map<String, TenantMigrated.Checksum> tables = new LinkedHashMap<>();
			done.tables().forEach((t, sum) -> tables.put(t, new TenantMigrated.Checksum(sum.rows(), sum.checksum())));
			finish(r.importId(), "IMPORT", true, EventTypes.TENANT_IMPORTED, r.tenantId(),
					new TenantImported(r.tenantId(), r.importId(), this.service, true, null, null,
							done.placement().tier(), done.placement().isolation(), done.placement().cluster(), tables,
							done.rows()));
		}
		catch (ArchiveRejectedException ex) {
			log.warn("Import {} of tenant {} refused in {}: {}", r.importId(), r.tenantId(), this.service,
					ex.getMessage());
			finish(r.importId(), "IMPORT", false, EventTypes.TENANT_IMPORTED, r.tenantId(),
					new TenantImported(r.tenantId(), r.importId(), this.service, false, ex.getMessage(), ex.table(),
							r.tier(), null, null, Map.of(), 0));
		}
		catch (Exception ex) {
			log.warn("Import {} of tenant {} failed in {}: {}", r.importId(), r.tenantId(), this.service,
					ex.toString());
			finish(r.importId(), "IMPORT", false, EventTypes.TENANT_IMPORTED, r.tenantId(),
					new TenantImported(r.tenantId(), r.importId(), this.service, false, reason(ex), null, r.tier(),
							null, null, Map.of(), 0));
		}
		finally {
			MDC.remove("tenant");
		}
	}

	private void finish(UUID job, String kind, boolean succeeded, String replyType, UUID tenant, Object reply) {
		this.controlTx.executeWithoutResult((s) -> {
			this.control
				.sql("update tenant_archive_job set state = ?, result = ?, heartbeat_at = now()"
						+ " where job_id = ? and kind = ?")
				.params(succeeded ? "SUCCEEDED" : "FAILED", this.json.writeValueAsString(reply), job, kind)
				.update();
			this.controlOutbox.append(Topics.TENANT_REPLIES, replyType, tenant, this.service, reply);
		});
	}

	private void heartbeat(UUID job, String kind) {
		this.control.sql("update tenant_archive_job set heartbeat_at = now() where job_id = ? and kind = ?")
			.params(job, kind)
			.update();
	}

	private static String reason(Exception ex) {
		return (ex.getMessage() != null) ? ex.getMessage() : ex.toString();
	}

	@Override
	public void destroy() {
		this.jobs.shutdownNow();
	}

}
