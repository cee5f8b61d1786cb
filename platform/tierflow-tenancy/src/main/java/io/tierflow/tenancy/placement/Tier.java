package io.tierflow.tenancy.placement;

/** The commercial tier of a tenant; it decides the isolation and the kind of cluster. */
public enum Tier {

	SHARED, DEDICATED, ENTERPRISE;

	/** The cluster role a tenant of this tier is placed on. */
	public ClusterRole clusterRole() {
		return switch (this) {
			case SHARED -> ClusterRole.SHARED;
			case DEDICATED -> ClusterRole.DEDICATED;
			case ENTERPRISE -> ClusterRole.ENTERPRISE;
		};
	}

}
