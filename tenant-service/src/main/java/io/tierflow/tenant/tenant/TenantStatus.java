package io.tierflow.tenant.tenant;

/** Lifecycle of a tenant in the control plane. */
public enum TenantStatus {

	/** Created; waiting for every tenant-data service to place it. */
	PROVISIONING,
	/**
	 * Created from an archive; every tenant-data service loads and verifies its part, and
	 * the tenant is ACTIVE once all have. If one refuses its part, the tenant is erased
	 * at once, so that nothing half-imported stays.
	 */
	IMPORTING,
	/** Placed everywhere and serving. */
	ACTIVE,
	/**
	 * A service could not place it; the reason is recorded. A system admin provisions it
	 * again (back to PROVISIONING) or deletes it.
	 */
	FAILED,
	/** Kept but not served. */
	SUSPENDED,
	/**
	 * Deleted, in its grace period: refused everywhere, its data still whole, and
	 * restorable until the erase starts.
	 */
	PENDING_ERASE,
	/** Every tenant-data service is erasing its data; each answers with a report. */
	ERASING,
	/**
	 * Erased everywhere: only the tombstone stays (this row, scrubbed, and each service's
	 * report).
	 */
	ERASED;

	/** Whether the tenant has been deleted: its tokens are refused from then on. */
	public boolean isOffboarding() {
		return this == PENDING_ERASE || this == ERASING || this == ERASED;
	}

	/**
	 * Whether the erase has started: events that arrive for the tenant now are dropped,
	 * so nothing of it is created again.
	 */
	public boolean isErasing() {
		return this == ERASING || this == ERASED;
	}

	/** Whether a system admin may delete the tenant. */
	public boolean isDeletable() {
		return this == ACTIVE || this == SUSPENDED || this == FAILED;
	}

	/** Whether the tenant may get new users. */
	public boolean acceptsNewUsers() {
		return this == PROVISIONING || this == IMPORTING || this == ACTIVE || this == FAILED;
	}

	/**
	 * Whether the tenant's data can be exported: it is placed everywhere and whole,
	 * served or not (a deleted tenant in its grace period can still take its data away).
	 */
	public boolean isExportable() {
		return this == ACTIVE || this == SUSPENDED || this == PENDING_ERASE;
	}

}
