package io.tierflow.tenant.tenant;

/** Lifecycle of a tenant in the control plane. */
public enum TenantStatus {

	/** Created; waiting for every tenant-data service to place it. */
	PROVISIONING,
	/** Placed everywhere and serving. */
	ACTIVE,
	/** A service could not place it; the reason is recorded. */
	FAILED,
	/** Kept but not served. */
	SUSPENDED,
	/** Deletion requested; the erase saga removes its data. */
	DELETION_REQUESTED

}
