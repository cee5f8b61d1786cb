package io.tierflow.events.tenant;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.Tier;

/**
 * Data of {@code tierflow.tenant.erased.v1}: one service's erase report, the same however
 * often the erase is requested or resumed after a crash (it is counted once, before
 * anything is removed, and kept with the tombstone).
 *
 * @param tier the tier the tenant was on, or null if it never had a placement here
 * @param storeDropped the tenant's own schema or database that was dropped
 * ({@code SCHEMA cluster/database/schema} or {@code DATABASE cluster/database}), or null
 * for rows in shared tables
 * @param rowsDeleted the tenant's rows per table, inbox and outbox included
 * @param removed what else went, by name: {@code blobs}, {@code blobBytes},
 * {@code parkedEvents}, {@code controlInboxRows}, {@code moves}
 * @param kept what stays on purpose, by name (billing: {@code invoices})
 */
public record TenantErased(UUID tenantId, String service, Tier tier, IsolationMode isolation, String cluster,
		String storeDropped, Map<String, Long> rowsDeleted, Map<String, Long> removed, Map<String, Long> kept,
		OffsetDateTime erasedAt) {
}
