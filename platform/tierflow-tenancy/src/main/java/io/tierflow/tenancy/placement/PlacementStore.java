package io.tierflow.tenancy.placement;

/** A store with its isolation mode and the migration version it has reached. */
public record PlacementStore(StoreKey key, IsolationMode isolation, String schemaVersion, PlacementState state,
		String error) {

}
