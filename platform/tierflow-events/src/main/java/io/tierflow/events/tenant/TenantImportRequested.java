package io.tierflow.events.tenant;

import java.util.UUID;

import io.tierflow.tenancy.placement.Tier;

/**
 * Data of {@code tierflow.tenant.import_requested.v1}: every tenant-data service places
 * tenant {@code tenantId} on {@code tier} in {@code region}, loads its part of archive
 * {@code archiveId} (written for {@code sourceTenantId}), verifies every table's
 * checksum, and only then lets it serve; it answers {@code tenant.imported}.
 */
public record TenantImportRequested(UUID tenantId, UUID importId, UUID archiveId, UUID sourceTenantId, Tier tier,
		String region) {
}
