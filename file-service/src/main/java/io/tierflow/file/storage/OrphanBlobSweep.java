package io.tierflow.file.storage;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.tierflow.file.blob.BlobStore;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.lease.JobLease;
import io.tierflow.tenancy.lease.JobLeases;
import io.tierflow.tenancy.placement.TenantErasedException;
import io.tierflow.tenancy.placement.TenantProvisioner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Removes blobs that have no metadata: left by a crash between writing a blob and
 * committing its upload, or between committing a deletion and deleting its blob (see
 * {@link TenantFiles}). Only blobs older than {@code tierflow.files.orphan-age} are
 * considered, so an upload whose transaction is still running keeps its blob. Unfinished
 * writes of that age (a crash in the middle of a write) go too.
 * <p>
 * A tenant whose erase has ended has no metadata at all: whatever an upload that was
 * streaming during the erase left behind goes whole, directory included. A tenant still
 * being erased is left to its eraser, which counts its blobs for the report.
 * <p>
 * Every instance serves every file from one blob store, so one instance at a time sweeps
 * it: the holder of the sweep's {@link JobLease}. Two sweeps at once would only repeat
 * each other's work: deleting a blob that is gone is no error.
 */
@Component
class OrphanBlobSweep implements SchedulingConfigurer {

	private static final Logger log = LoggerFactory.getLogger(OrphanBlobSweep.class);

	/**
	 * A sweep lists every tenant's blobs and asks its store which ones it knows: long for
	 * a big store. Orphans are harmless, so a holder that dies mid-sweep may hold the
	 * next one back this long.
	 */
	private static final Duration LEASE_AT_MOST = Duration.ofHours(1);

	private final BlobStore blobs;

	private final StoredFileRepository files;

	private final FileStorageProperties properties;

	private final TransactionTemplate readTx;

	private final TenantProvisioner placements;

	private final Clock clock;

	private final JobLeases leases;

	OrphanBlobSweep(BlobStore blobs, StoredFileRepository files, FileStorageProperties properties,
			PlatformTransactionManager transactionManager, TenantProvisioner placements, JobLeases leases) {
		this.blobs = blobs;
		this.placements = placements;
		this.files = files;
		this.properties = properties;
		this.readTx = new TransactionTemplate(transactionManager);
		this.readTx.setReadOnly(true);
		this.clock = Clock.systemUTC();
		this.leases = leases;
	}

	@Override
	public void configureTasks(ScheduledTaskRegistrar registrar) {
		Duration every = this.properties.orphanSweepInterval();
		JobLease lease = new JobLease("file.orphan-blob-sweep", every, LEASE_AT_MOST);
		registrar.addFixedDelayTask(new FixedDelayTask(() -> this.leases.run(lease, this::sweepOrphans), every, every));
	}

	void sweepOrphans() {
		sweep(this.clock.instant().minus(this.properties.orphanAge()));
	}

	/**
	 * Sweeps every tenant's blobs written before {@code cutoff}.
	 * @return the number of blobs and unfinished writes removed
	 */
	int sweep(Instant cutoff) {
		List<UUID> tenants;
		try {
			tenants = this.blobs.tenants();
		}
		catch (IOException ex) {
			log.warn("Cannot list the blob store for the orphan sweep", ex);
			return 0;
		}
		int removed = 0;
		for (UUID tenant : tenants) {
			try (TenantContext.Scope scope = TenantContext.open(tenant)) {
				removed += sweepTenant(tenant, cutoff);
			}
			catch (IOException | RuntimeException ex) {
				// Unknown, suspended, moving or erasing tenants keep their blobs until a
				// later sweep.
				log.debug("Orphan sweep skipped tenant {}: {}", tenant, ex.toString());
			}
		}
		if (removed > 0) {
			log.info("Orphan sweep removed {} blobs without metadata", removed);
		}
		return removed;
	}

	private int sweepTenant(UUID tenant, Instant cutoff) throws IOException {
		int removed = this.blobs.deleteUnfinishedWritesBefore(cutoff);
		List<UUID> candidates = this.blobs.blobsWrittenBefore(cutoff);
		if (candidates.isEmpty()) {
			// An empty directory (all files deleted, or an erased tenant's last upload
			// discarded its blob) goes only when no upload of the tenant can race it.
			if (this.blobs.measure().blobs() == 0 && unplaced(tenant)) {
				this.blobs.deleteAll();
			}
			return removed;
		}
		Set<UUID> known;
		try {
			known = this.readTx.execute((s) -> this.files.existing(candidates));
		}
		catch (RuntimeException ex) {
			if (!refusedAsErased(ex) || !unplaced(tenant)) {
				throw ex;
			}
			long left = this.blobs.deleteAll().blobs();
			log.info("Orphan sweep removed {} blobs left behind by erased tenant {}", left, tenant);
			return removed + (int) left;
		}
		for (UUID blob : candidates) {
			if (!known.contains(blob)) {
				this.blobs.delete(blob);
				removed++;
			}
		}
		return removed;
	}

	/**
	 * Whether the tenant has no placement here: its erase has ended (while it is ERASING
	 * its placement is still there), or it never had one. Either way no upload of it can
	 * run.
	 */
	private boolean unplaced(UUID tenant) {
		return this.placements.find(tenant).isEmpty();
	}

	private static boolean refusedAsErased(Throwable ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t instanceof TenantErasedException) {
				return true;
			}
		}
		return false;
	}

}
