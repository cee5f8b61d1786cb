package io.tierflow.tenancy.placement;

/** Whether a cluster takes tenants ({@link ClusterRegistry}). */
public enum ClusterState {

	/** New tenants and moved ones are placed on it. */
	ACTIVE,

	/**
	 * Marked so by an operator: its tenants keep being served, nothing new is placed on
	 * it.
	 */
	UNHEALTHY,

	/** Its tenants are being moved to other clusters; nothing new is placed on it. */
	DRAINING,

	/** No tenant is left on it. */
	DRAINED;

	/** Whether new placements may go to a cluster in this state. */
	public boolean takesTenants() {
		return this == ACTIVE;
	}

}
