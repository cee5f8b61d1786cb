package io.tierflow.tenancy.placement;

/** What kind of tenants a PostgreSQL cluster is meant to hold. */
public enum ClusterRole {

	SHARED, DEDICATED, ENTERPRISE

}
