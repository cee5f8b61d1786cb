package io.tierflow.tenant.archive;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tierflow.events.tenant.TenantMigrated.Checksum;

/**
 * An export of a tenant's data and every service's part in it: the progress while it
 * runs, the per-table rows and checksums once it is written.
 *
 * @param reason why it failed ("service: reason"), or null
 * @param rowsWritten rows written so far by every service together
 * @param bytesWritten bytes of the parts written so far
 * @param services every tenant-data service's part, in the order of their names
 */
public record TenantExport(UUID id, UUID tenantId, Status status, String reason, String requestedBy,
		OffsetDateTime requestedAt, OffsetDateTime finishedAt, long rowsWritten, long bytesWritten,
		List<Part> services) {

	/** Where an export is. */
	public enum Status {

		/** The services write their parts. */
		RUNNING,
		/** Every service wrote its part: the archive can be downloaded and imported. */
		COMPLETED,
		/**
		 * A service could not write its part (or went silent); the parts written are
		 * removed.
		 */
		FAILED

	}

	/** Where one service's part is. */
	public enum PartStatus {

		PENDING, RUNNING, SUCCEEDED, FAILED;

		public boolean isFinal() {
			return this == SUCCEEDED || this == FAILED;
		}

	}

	/**
	 * One service's part of the export, as its replies report it.
	 *
	 * @param schemaVersion the migration version of the store its rows were read from
	 * @param tables rows and checksum per table, computed the way the mover verifies a
	 * move
	 */
	public record Part(String service, PartStatus status, long rowsWritten, long bytesWritten, String schemaVersion,
			Map<String, Checksum> tables, String reason, OffsetDateTime updatedAt) {
	}

}
