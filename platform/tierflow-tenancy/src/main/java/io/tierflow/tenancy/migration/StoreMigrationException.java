package io.tierflow.tenancy.migration;

import io.tierflow.tenancy.placement.StoreKey;

/** A store failed to migrate; the reason is also recorded in the control tables. */
public class StoreMigrationException extends RuntimeException {

	private final StoreKey store;

	private final String reason;

	private final boolean lockTimedOut;

	public StoreMigrationException(StoreKey store, String reason, Throwable cause) {
		this(store, reason, false, cause);
	}

	/**
	 * @param lockTimedOut whether the store's own transactions held a lock longer than
	 * the migration's lock timeout: the store is still at its version and serving
	 */
	public StoreMigrationException(StoreKey store, String reason, boolean lockTimedOut, Throwable cause) {
		super("Store " + store + " failed to migrate: " + reason, cause);
		this.store = store;
		this.reason = reason;
		this.lockTimedOut = lockTimedOut;
	}

	public boolean lockTimedOut() {
		return this.lockTimedOut;
	}

	public StoreKey store() {
		return this.store;
	}

	public String reason() {
		return this.reason;
	}

}
