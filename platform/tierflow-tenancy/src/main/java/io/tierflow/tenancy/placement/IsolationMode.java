package io.tierflow.tenancy.placement;

/** How a placement isolates its tenant's rows. */
public enum IsolationMode {

	/** Shared tables guarded by row-level security on {@code tenant_id}. */
	ROW,
	/** The tenant's own schema in a cluster database. */
	SCHEMA,
	/** The tenant's own database on a cluster. */
	DATABASE

}
