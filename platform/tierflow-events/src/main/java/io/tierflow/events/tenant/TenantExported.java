package io.tierflow.events.tenant;

import java.util.Map;
import java.util.UUID;

/**
 * Data of {@code tierflow.tenant.exported.v1}: one service's part of an export.
 *
 * @param schemaVersion the migration version of the store the rows were read from
 * @param tables rows and checksum per table, computed the way the mover computes them
 * @param rowsWritten rows written in all
 * @param bytesWritten the part's size in the archive store
 * @param reason why it failed, or null
 */
public record TenantExported(UUID tenantId, UUID exportId, String service, boolean succeeded, String reason,
		String schemaVersion, Map<String, TenantMigrated.Checksum> tables, long rowsWritten, long bytesWritten) {
}
