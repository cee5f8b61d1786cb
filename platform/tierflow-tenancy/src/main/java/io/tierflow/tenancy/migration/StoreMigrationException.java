package io.tierflow.tenancy.migration;

import io.tierflow.tenancy.placement.StoreKey;

/** A store failed to migrate; the reason is also recorded in the control tables. */
public class StoreMigrationException extends RuntimeException {

	private final StoreKey store;

	private final String reason;

	public StoreMigrationException(StoreKey store, String reason, Throwable cause) {
		super("Store " + store + " failed to migrate: " + reason, cause);
		this.store = store;
		this.reason = reason;
	}

	public StoreKey store() {
		return this.store;
	}

	public String reason() {
		return this.reason;
	}

}
