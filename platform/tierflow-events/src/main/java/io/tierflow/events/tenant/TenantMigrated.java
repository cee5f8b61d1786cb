package io.tierflow.events.tenant;

import java.math.BigDecimal;
import java.util.Map;
import java.util.UUID;

import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.Tier;

/**
 * Data of {@code tierflow.tenant.migrated.v1}: how one service's move of a tenant ended.
 * On success the placement fields say where the tenant lives now; on failure where it
 * still lives (the source) and why it stayed.
 *
 * @param moveId the service's move, or null when none could start
 * @param checksums the tenant's rows per table, verified equal in source and target
 * @param fencedMs how long the tenant's writes were held at cutover
 */
public record TenantMigrated(UUID tenantId, UUID changeId, boolean rollback, String service, UUID moveId,
		boolean succeeded, String reason, Tier tier, IsolationMode isolation, String cluster, String database,
		String schema, long epoch, long changesApplied, Map<String, Checksum> checksums, Long fencedMs) {

	/** Row count and order-independent checksum of one table's rows of the tenant. */
	public record Checksum(long rows, BigDecimal sum) {
	}

}
