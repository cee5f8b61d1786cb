package io.tierflow.tenancy.migration;

/** Where one store of a rollout is ({@link MigrationRollouts}). */
public enum RolloutStoreState {

	/** Not tried yet, or to be tried again after a halted rollout was resumed. */
	PENDING,

	/** At the rollout's version. */
	MIGRATED,

	/** Its migration failed; the store is marked FAILED with the reason. */
	FAILED,

	/**
	 * Its own transactions held a lock past the lock timeout: still serving at its old
	 * version, tried again after the waves.
	 */
	BUSY,

	/** The store went away (its tenant moved or was erased) before its turn. */
	GONE

}
