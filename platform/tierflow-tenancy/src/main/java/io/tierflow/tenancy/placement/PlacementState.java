package io.tierflow.tenancy.placement;

/** Life cycle of a placement or of the store behind it. */
public enum PlacementState {

	/** Being created or migrated; not serving yet. */
	PROVISIONING,
	/** Migrated to the latest version and serving. */
	READY,
	/** Provisioning or migration failed; the error is recorded. */
	FAILED,
	/**
	 * Being erased: not served, never provisioned again; the row goes when the erase
	 * ends, and the tenant's tombstone stays ({@code tenant_erasure}).
	 */
	ERASING

}
