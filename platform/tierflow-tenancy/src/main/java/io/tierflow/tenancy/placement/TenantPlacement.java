package io.tierflow.tenancy.placement;

import java.util.UUID;

/**
 * Where one tenant's data for this service lives: tier, isolation mode, cluster, database
 * and schema. {@code epoch} grows each time the placement is switched to another store.
 */
public record TenantPlacement(UUID tenantId, Tier tier, IsolationMode isolation, String cluster, String database,
		String schema, String region, long epoch, PlacementState state, boolean suspended, String error) {

	/** The physical store this placement points at. */
	public StoreKey store() {
		return new StoreKey(this.cluster, this.database, this.schema);
	}

}
