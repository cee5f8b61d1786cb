package io.tierflow.tenant.archive;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tierflow.events.tenant.TenantMigrated.Checksum;
import io.tierflow.tenancy.placement.Tier;

/**
 * An import of a tenant from an archive and every service's part in it.
 *
 * @param tenantId the tenant created by the import
 * @param archiveId the archive the services load their parts from
 * @param exportId the export of this suite the archive is, or null for an uploaded one
 * @param sourceTenantId the tenant the archive was written for
 * @param reason why it failed ("service: reason"), or null
 * @param services every tenant-data service's part, in the order of their names
 */
public record TenantImport(UUID id, UUID tenantId, UUID archiveId, UUID exportId, UUID sourceTenantId, Status status,
		String reason, String requestedBy, OffsetDateTime requestedAt, OffsetDateTime finishedAt, List<Part> services) {

	/** Where an import is. */
	public enum Status {

		/** The services load and verify their parts. */
		RUNNING,
		/** Every service loaded and verified its part: the tenant is ACTIVE. */
		COMPLETED,
		/** A service refused its part: the tenant is erased, so nothing of it stays. */
		FAILED

	}

	/** Where one service's part is. */
	public enum PartStatus {

		PENDING, SUCCEEDED, FAILED

	}

	/**
	 * One service's part of the import, as its tenant.imported reply reports it.
	 *
	 * @param table the table (or entry) that failed verification, or null
	 * @param tables rows and checksum per table as loaded, equal to the archive's
	 */
	public record Part(String service, PartStatus status, String table, String reason, Tier tier, String isolation,
			String cluster, Map<String, Checksum> tables, long rowsLoaded, OffsetDateTime updatedAt) {
	}

}
