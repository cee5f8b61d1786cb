package io.tierflow.events.tenant;

import java.util.Map;
import java.util.UUID;

import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.Tier;

/**
 * Data of {@code tierflow.tenant.imported.v1}: one service's part of an import.
 *
 * @param table the table that failed verification, or null
 * @param tables rows and checksum per table as loaded, equal to the archive's
 */
public record TenantImported(UUID tenantId, UUID importId, String service, boolean succeeded, String reason,
		String table, Tier tier, IsolationMode isolation, String cluster, Map<String, TenantMigrated.Checksum> tables,
		long rowsLoaded) {
}
