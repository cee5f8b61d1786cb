package io.tierflow.events.tenant;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Data of {@code tierflow.tenant.erase_requested.v1}: every tenant-data service erases
 * the tenant's data and answers {@code tierflow.tenant.erased.v1} with its report.
 *
 * @param requestedAt when the deletion was requested (the start of the grace period)
 */
public record TenantEraseRequested(UUID tenantId, OffsetDateTime requestedAt) {
}
