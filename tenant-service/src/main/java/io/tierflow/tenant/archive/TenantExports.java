package io.tierflow.tenant.archive;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import com.github.f4b6a3.uuid.UuidCreator;
import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.outbox.Outbox;
import io.tierflow.events.tenant.TenantExportProgress;
import io.tierflow.events.tenant.TenantExportRequested;
import io.tierflow.events.tenant.TenantExported;
import io.tierflow.tenancy.web.ConflictException;
import io.tierflow.tenancy.web.NotFoundException;
import io.tierflow.tenant.audit.AuditActions;
import io.tierflow.tenant.audit.AuditTarget;
import io.tierflow.tenant.audit.AuditTrail;
import io.tierflow.tenant.archive.TenantExport.PartStatus;
import io.tierflow.tenant.archive.TenantExport.Status;
import io.tierflow.tenant.tenant.TenantRegistry;
import io.tierflow.tenant.tenant.TenantStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.ErrorResponseException;

/**
 * Exports of tenants: each tenant-data service writes its part of the archive (its rows
 * of every table at one snapshot, with their checksums, and its blobs) and reports rows
 * and bytes as it goes. The export is COMPLETED once every service wrote its part, and
 * FAILED as soon as one could not, whose reason it keeps; the parts of a failed export
 * are removed. The request and its event commit together.
 *
 * <p>
 * Costs are bounded per tenant: one export runs at a time (unless it has gone silent for
 * {@code export-silence}), and only the newest {@code exports-kept} are stored.
 */
@Service
class TenantExports {

	private static final Logger log = LoggerFactory.getLogger(TenantExports.class);

	private final ExportRepository exports;

	private final TenantRegistry tenants;

	private final ArchiveDirectory archives;

	private final ArchiveProperties properties;

	private final Outbox outbox;

	private final AuditTrail audit;

	TenantExports(ExportRepository exports, TenantRegistry tenants, ArchiveDirectory archives,
			ArchiveProperties properties, Outbox outbox, AuditTrail audit) {
		this.exports = exports;
		this.tenants = tenants;
		this.archives = archives;
		this.properties = properties;
		this.outbox = outbox;
		this.audit = audit;
	}

	/**
	 * Starts an export of the tenant's data.
	 * @throws NotFoundException if there is no such tenant
	 * @throws ConflictException if the tenant is not ACTIVE, SUSPENDED or PENDING_ERASE,
	 * or an export of it is running
	 */
	@Transactional
	public TenantExport request(UUID tenantId, String requestedBy) {
		TenantStatus status = this.tenants.statusForShare(tenantId);
		if (!status.isExportable()) {
			throw new ConflictException("Only an ACTIVE, SUSPENDED or PENDING_ERASE tenant can be exported; tenant "
					+ tenantId + " is " + status);
		}
		this.exports.running(tenantId).ifPresent((running) -> {
			if (!this.exports.silentFor(running.id(), this.properties.exportSilence())) {
				throw new ConflictException("Tenant " + tenantId + " has an export running (" + running.id()
						+ "); it can be exported again once that has ended");
			}
			fail(running.id(), "no service answered for " + this.properties.exportSilence());
		});
		List<UUID> old = this.exports.beyondNewest(tenantId, this.properties.exportsKept() - 1);
		this.exports.delete(old);
		old.forEach(this.archives::delete);
		UUID id = UuidCreator.getTimeOrderedEpoch();
		this.exports.insert(id, tenantId, requestedBy, this.tenants.services());
		this.outbox.append(Topics.TENANT, EventTypes.TENANT_EXPORT_REQUESTED, tenantId, id.toString(),
				new TenantExportRequested(tenantId, id));
		this.audit.record(AuditActions.TENANT_EXPORT, AuditTarget.of("export", id), tenantId);
		log.info("Tenant {}: export {} requested by {}", tenantId, id, requestedBy);
		return view(this.exports.find(id).orElseThrow());
	}

	/**
	 * The tenant's export with every service's part.
	 * @throws NotFoundException if the tenant has no such export
	 */
	@Transactional(readOnly = true)
	public TenantExport get(UUID tenantId, UUID exportId) {
		return view(find(tenantId, exportId));
	}

	/**
	 * A page of the tenant's exports, newest first, each with every service's part (the
	 * history behind the console's export list; only the newest few are kept).
	 * @throws NotFoundException if there is no such tenant
	 */
	@Transactional(readOnly = true)
	public List<TenantExport> list(UUID tenantId, int page, int size) {
		this.tenants.get(tenantId);
		return this.exports.newest(tenantId, page, size).stream().map(this::view).toList();
	}

	/**
	 * The archive of a completed export, read for its manifest and ready to be written.
	 * Not in a transaction: the parts are read from disk, which may take a while.
	 * @throws NotFoundException if the tenant has no such export
	 * @throws ConflictException if the export is not COMPLETED, or the tenant is being
	 * erased
	 */
	public ExportArchive archive(UUID tenantId, UUID exportId) throws IOException {
		TenantExport export = get(tenantId, exportId);
		if (export.status() != Status.COMPLETED) {
			throw new ConflictException(
					"Export " + exportId + " is " + export.status() + ": only a COMPLETED export can be downloaded");
		}
		TenantStatus status = this.tenants.get(tenantId).status();
		if (status.isErasing()) {
			throw new ConflictException("Tenant " + tenantId + " is " + status + ": its exports are being erased");
		}
		Map<String, Path> parts = new LinkedHashMap<>();
		this.tenants.services().forEach((s) -> parts.put(s, this.archives.part(exportId, s)));
		try {
			return ExportArchive.of(export, parts);
		}
		catch (NoSuchFileException ex) {
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.GONE,
					"A part of export " + exportId + " is no longer stored");
			problem.setTitle("Archive gone");
			throw new ErrorResponseException(HttpStatus.GONE, problem, ex);
		}
	}

	/** Records a service's progress, in the caller's transaction. */
	@Transactional(propagation = Propagation.MANDATORY)
	public void progressed(TenantExportProgress progress) {
		if (!this.exports.recordProgress(progress)) {
			log.debug("Progress of {} in export {} ignored: no such running part", progress.service(),
					progress.exportId());
		}
	}

	/**
	 * Records a service's part, in the caller's transaction, and finishes the export once
	 * every part is written or one failed.
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public void exported(TenantExported reply) {
		ExportRepository.Row export = this.exports.findForUpdate(reply.exportId())
			.filter((e) -> e.tenantId().equals(reply.tenantId()))
			.orElse(null);
		if (export == null) {
			log.warn("Export reply from {} for unknown export {} of tenant {}", reply.service(), reply.exportId(),
					reply.tenantId());
			return;
		}
		if (!this.exports.recordResult(reply)) {
			log.debug("Export reply from {} for export {} ignored: its part is final already", reply.service(),
					export.id());
			return;
		}
		if (export.status() != Status.RUNNING) {
			// The export failed (or timed out) before: this part is not needed.
			this.archives.deletePart(export.id(), reply.service());
			return;
		}
		List<TenantExport.Part> parts = this.exports.parts(export.id());
		List<TenantExport.Part> failed = parts.stream().filter((p) -> p.status() == PartStatus.FAILED).toList();
		if (!failed.isEmpty()) {
			fail(export.id(),
					failed.stream().map((p) -> p.service() + ": " + p.reason()).collect(Collectors.joining("; ")));
		}
		else if (parts.stream().allMatch((p) -> p.status() == PartStatus.SUCCEEDED)) {
			this.exports.updateStatus(export.id(), Status.COMPLETED, null);
			log.info("Export {} of tenant {} COMPLETED: {} rows, {} bytes", export.id(), export.tenantId(),
					parts.stream().mapToLong(TenantExport.Part::rowsWritten).sum(),
					parts.stream().mapToLong(TenantExport.Part::bytesWritten).sum());
		}
	}

	/**
	 * A part written for a tenant whose erase has started: removed, unless the export is
	 * another tenant's.
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public void discardLatePart(TenantExported reply) {
		boolean others = this.exports.find(reply.exportId())
			.map((e) -> !e.tenantId().equals(reply.tenantId()))
			.orElse(false);
		if (!others && this.tenants.services().contains(reply.service())) {
			this.archives.deletePart(reply.exportId(), reply.service());
		}
	}

	/**
	 * Removes the tenant's exports and their archives, in the erase's transaction.
	 * @return rows deleted per table
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public Map<String, Long> erase(UUID tenantId) {
		List<UUID> ids = this.exports.ofTenant(tenantId);
		long[] deleted = this.exports.delete(ids);
		ids.forEach(this.archives::delete);
		Map<String, Long> rows = new LinkedHashMap<>();
		rows.put("tenant_export_part", deleted[0]);
		rows.put("tenant_export", deleted[1]);
		return rows;
	}

	private void fail(UUID id, String reason) {
		this.exports.updateStatus(id, Status.FAILED, reason);
		this.archives.delete(id);
		log.warn("Export {} FAILED: {}", id, reason);
	}

	private ExportRepository.Row find(UUID tenantId, UUID exportId) {
		return this.exports.find(exportId)
			.filter((e) -> e.tenantId().equals(tenantId))
			.orElseThrow(() -> new NotFoundException("Tenant " + tenantId + " has no export " + exportId));
	}

	private TenantExport view(ExportRepository.Row row) {
		return row.view(this.exports.parts(row.id()));
	}

}
