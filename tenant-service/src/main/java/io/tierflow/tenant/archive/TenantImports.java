package io.tierflow.tenant.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import com.github.f4b6a3.uuid.UuidCreator;
import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.outbox.Outbox;
import io.tierflow.events.tenant.TenantImportRequested;
import io.tierflow.events.tenant.TenantImported;
import io.tierflow.tenancy.web.ConflictException;
import io.tierflow.tenancy.web.NotFoundException;
import io.tierflow.tenant.audit.AuditActions;
import io.tierflow.tenant.audit.AuditTarget;
import io.tierflow.tenant.audit.AuditTrail;
import io.tierflow.tenant.archive.TenantImport.PartStatus;
import io.tierflow.tenant.archive.TenantImport.Status;
import io.tierflow.tenant.tenant.Plan;
import io.tierflow.tenant.tenant.Tenant;
import io.tierflow.tenant.tenant.TenantOffboarding;
import io.tierflow.tenant.tenant.TenantRegistry;
import io.tierflow.tenant.tenant.TenantStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Imports of tenants from archives: an export of this suite, named by its id, or an
 * uploaded one. The whole archive is checked first (every service's part, every table and
 * entry in it against its SHA-256), and nothing is created from an archive that fails:
 * 422, naming the service and the table. Then the tenant is created IMPORTING with the
 * import's request (one transaction), every tenant-data service loads its part and
 * verifies every table's checksum, and the tenant is ACTIVE once all have. One refusal
 * fails the import and erases the tenant at once, so nothing half-imported stays.
 *
 * <p>
 * An uploaded archive is received into the import area, taken apart there, and only its
 * checked parts move to an archive directory of their own, which goes once the import has
 * ended; nothing of a refused upload stays on disk.
 */
@Service
class TenantImports {

	private static final Logger log = LoggerFactory.getLogger(TenantImports.class);

	private final ImportRepository imports;

	private final ExportRepository exports;

	private final TenantRegistry tenants;

	private final TenantOffboarding offboarding;

	private final ArchiveDirectory archives;

	private final ArchiveProperties properties;

	private final Outbox outbox;

	private final JsonMapper json;

	private final PartVerifier verifier;

	private final TransactionTemplate tx;

	private final AuditTrail audit;

	TenantImports(ImportRepository imports, ExportRepository exports, TenantRegistry tenants,
			TenantOffboarding offboarding, ArchiveDirectory archives, ArchiveProperties properties, Outbox outbox,
			JsonMapper json, PlatformTransactionManager transactions, AuditTrail audit) {
		this.imports = imports;
		this.exports = exports;
		this.tenants = tenants;
		this.offboarding = offboarding;
		this.archives = archives;
		this.properties = properties;
		this.outbox = outbox;
		this.json = json;
		this.verifier = new PartVerifier(json);
		this.tx = new TransactionTemplate(transactions);
		this.audit = audit;
	}

	/**
	 * What the imported tenant is to be.
	 *
	 * @param keepId whether it keeps the id of the tenant the archive was written for
	 */
	record NewTenant(String name, String slug, Plan plan, String region, boolean keepId) {
	}

	/** An import under way, and the tenant it creates. */
	record Started(UUID importId, Tenant tenant) {
	}

	/** Receives an upload into a file. */
	@FunctionalInterface
	interface Upload {

		void transferTo(Path file) throws IOException;

	}

	/**
	 * Imports a COMPLETED export of this suite; the services load the export's own parts.
	 * @throws NotFoundException if there is no such export
	 * @throws ConflictException if it is not COMPLETED, its tenant is being erased, the
	 * slug is taken, or the id is kept and taken
	 * @throws InvalidArchiveException if a part is missing or damaged
	 */
	Started fromExport(UUID exportId, NewTenant tenant, String requestedBy) throws InvalidArchiveException {
		ExportRepository.Row export = this.exports.find(exportId)
			.orElseThrow(() -> new NotFoundException("No export " + exportId));
		if (export.status() != TenantExport.Status.COMPLETED) {
			throw new ConflictException(
					"Export " + exportId + " is " + export.status() + ": only a COMPLETED export can be imported");
		}
		TenantStatus source = this.tenants.get(export.tenantId()).status();
		if (source.isErasing()) {
			throw new ConflictException(
					"Tenant " + export.tenantId() + " is " + source + ": its exports are being erased");
		}
		for (String service : this.tenants.services()) {
			this.verifier.verify(service, this.archives.part(exportId, service), export.tenantId());
		}
		return start(tenant, exportId, exportId, export.tenantId(), requestedBy);
	}

	/**
	 * Imports an uploaded archive ({@link ExportArchive}'s format).
	 * @throws ConflictException if the slug is taken, or the id is kept and taken
	 * @throws InvalidArchiveException if the archive or a part of it is damaged
	 */
	Started fromUpload(Upload upload, NewTenant tenant, String requestedBy)
			throws InvalidArchiveException, IOException {
		Path staging = this.archives.newStaging();
		UUID placed = null;
		try {
			Path file = staging.resolve("upload.zip");
			upload.transferTo(file);
			UploadedArchive.Unpacked archive = UploadedArchive.unpack(file, staging, this.tenants.services(),
					this.properties.maxImportSize().toBytes(), this.json);
			Files.delete(file);
			for (Map.Entry<String, Path> part : archive.parts().entrySet()) {
				this.verifier.verify(part.getKey(), part.getValue(), archive.tenantId());
			}
			placed = UuidCreator.getTimeOrderedEpoch();
			Files.createDirectories(this.archives.archive(placed));
			for (Map.Entry<String, Path> part : archive.parts().entrySet()) {
				Files.move(part.getValue(), this.archives.part(placed, part.getKey()), StandardCopyOption.ATOMIC_MOVE);
			}
			Started started = start(tenant, placed, null, archive.tenantId(), requestedBy);
			placed = null;
			return started;
		}
		finally {
			ArchiveDirectory.deleteQuietly(staging);
			if (placed != null) {
				this.archives.delete(placed);
			}
		}
	}

	private Started start(NewTenant request, UUID archiveId, UUID exportId, UUID sourceTenantId, String requestedBy) {
		return this.tx.execute((status) -> {
			// The export stays until the import has ended: a newer export does not remove
			// it.
			if (exportId != null && this.exports.findForShare(exportId).isEmpty()) {
				throw new ConflictException("Export " + exportId + " was removed meanwhile");
			}
			Tenant tenant = this.tenants.createImporting(request.keepId() ? sourceTenantId : null, request.name(),
					request.slug(), request.plan(), request.region());
			UUID id = UuidCreator.getTimeOrderedEpoch();
			this.imports.insert(id, tenant.id(), archiveId, exportId, sourceTenantId, requestedBy,
					this.tenants.services());
			this.outbox.append(Topics.TENANT, EventTypes.TENANT_IMPORT_REQUESTED, tenant.id(), id.toString(),
					new TenantImportRequested(tenant.id(), id, archiveId, sourceTenantId, request.plan().tier(),
							request.region()));
			// The new tenant's chain; the archive's tenant is not named, so that its
			// erase
			// leaves no trace of it here.
			this.audit.record(AuditActions.TENANT_IMPORT, AuditTarget.of("import", id), tenant.id());
			log.info("Tenant {}: import {} of archive {} (tenant {}) requested by {}, on {} in {}", tenant.id(), id,
					archiveId, sourceTenantId, requestedBy, request.plan().tier(), request.region());
			return new Started(id, tenant);
		});
	}

	/**
	 * The import with every service's part.
	 * @throws NotFoundException if there is no such import
	 */
	@Transactional(readOnly = true)
	public TenantImport get(UUID importId) {
		ImportRepository.Row row = this.imports.find(importId)
			.orElseThrow(() -> new NotFoundException("No import " + importId));
		return row.view(this.imports.parts(importId));
	}

	/**
	 * Records a service's part, in the caller's transaction: once every part is loaded
	 * the tenant is ACTIVE; once one is refused the import fails and the tenant is
	 * erased.
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public void imported(TenantImported reply) {
		ImportRepository.Row job = this.imports.findForUpdate(reply.importId())
			.filter((i) -> i.tenantId().equals(reply.tenantId()))
			.orElse(null);
		if (job == null || !this.tenants.services().contains(reply.service())) {
			log.warn("Import reply from {} for unknown import {} of tenant {}", reply.service(), reply.importId(),
					reply.tenantId());
			return;
		}
		if (!this.imports.recordResult(reply)) {
			log.debug("Import reply from {} for import {} ignored: its part is final already", reply.service(),
					job.id());
			return;
		}
		this.tenants.recordImport(job.tenantId(), reply.service(), reply.succeeded(), reply.tier(),
				(reply.isolation() != null) ? reply.isolation().name() : null, reply.cluster(), reply.reason());
		if (job.status() != Status.RUNNING) {
			return;
		}
		List<TenantImport.Part> parts = this.imports.parts(job.id());
		List<TenantImport.Part> failed = parts.stream().filter((p) -> p.status() == PartStatus.FAILED).toList();
		if (!failed.isEmpty()) {
			String reason = failed.stream()
				.map((p) -> p.service() + ": " + p.reason())
				.collect(Collectors.joining("; "));
			this.imports.updateStatus(job.id(), Status.FAILED, reason);
			this.offboarding.eraseFailedImport(job.tenantId(), reason);
			ended(job);
			log.warn("Import {} of tenant {} FAILED, the tenant is erased: {}", job.id(), job.tenantId(), reason);
		}
		else if (parts.stream().allMatch((p) -> p.status() == PartStatus.SUCCEEDED)) {
			this.imports.updateStatus(job.id(), Status.COMPLETED, null);
			this.tenants.activateImported(job.tenantId());
			ended(job);
			log.info("Import {} of tenant {} COMPLETED: {} rows loaded and verified", job.id(), job.tenantId(),
					parts.stream().mapToLong(TenantImport.Part::rowsLoaded).sum());
		}
	}

	/**
	 * Removes the tenant's imports and their uploaded archives, and its id from the
	 * imports made from its archives, in the erase's transaction.
	 * @return rows deleted per table
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public Map<String, Long> erase(UUID tenantId) {
		List<ImportRepository.Row> own = this.imports.ofTenant(tenantId);
		own.forEach(this::ended);
		long[] deleted = this.imports.delete(own.stream().map(ImportRepository.Row::id).toList());
		this.imports.forgetSource(tenantId);
		Map<String, Long> rows = new LinkedHashMap<>();
		rows.put("tenant_import_part", deleted[0]);
		rows.put("tenant_import", deleted[1]);
		return rows;
	}

	/** An uploaded archive is not needed once its import has ended. */
	private void ended(ImportRepository.Row job) {
		if (job.ownsArchive()) {
			this.archives.delete(job.archiveId());
		}
	}

}
