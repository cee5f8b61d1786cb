package io.tierflow.tenancy.migration;

import java.time.Duration;
import java.util.List;

import io.tierflow.tenancy.placement.StoreKey;

/** Outcome of a migration pass: how many stores ran, were skipped, or failed and why. */
public record MigrationReport(int total, int migrated, int skipped, List<Failure> failures, Duration took) {

	/**
	 * A store that did not migrate, with the reason.
	 *
	 * @param lockTimedOut whether it gave up waiting for a lock of the store's own
	 * transactions, every try of the pass: it stays at its version, serving, and the next
	 * pass tries it again
	 */
	public record Failure(StoreKey store, String reason, boolean lockTimedOut) {
	}

}
