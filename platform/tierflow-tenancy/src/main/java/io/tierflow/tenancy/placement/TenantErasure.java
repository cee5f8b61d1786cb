package io.tierflow.tenancy.placement;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A tenant's erase in this service: under way (ERASING) or done (ERASED, the tombstone),
 * with where its data was and the erase report (JSON, counted before anything was
 * removed).
 *
 * @param tier null (and so the store fields) when the tenant was never placed here
 */
public record TenantErasure(UUID tenantId, boolean erased, Tier tier, IsolationMode isolation, String cluster,
		String database, String schema, String report, OffsetDateTime erasedAt) {

	/** Where the tenant's data was, or null when it was never placed here. */
	public TenantPlacement placement() {
		if (this.tier == null) {
			return null;
		}
		return new TenantPlacement(this.tenantId, this.tier, this.isolation, this.cluster, this.database, this.schema,
				"", 0, PlacementState.ERASING, true, null);
	}

}
