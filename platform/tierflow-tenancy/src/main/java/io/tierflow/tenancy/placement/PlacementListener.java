package io.tierflow.tenancy.placement;

/**
 * Told about placement outcomes inside the control transaction that records them, so that
 * what it writes (a reply event in the control outbox, say) commits atomically with the
 * state.
 */
public interface PlacementListener {

	default void placementReady(TenantPlacement placement) {
	}

	default void placementFailed(TenantPlacement placement, String reason) {
	}

}
