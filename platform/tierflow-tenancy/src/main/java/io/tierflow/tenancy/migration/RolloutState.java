package io.tierflow.tenancy.migration;

/** Where a rollout of a new tenant migration is ({@link MigrationRollouts}). */
public enum RolloutState {

	/** Going over its waves, on whichever instance holds its lock. */
	RUNNING,

	/** Stopped by an operator after the stores in flight; resumed by one. */
	PAUSED,

	/**
	 * Stopped by itself: too many stores failed. Resumed by an operator, once the cause
	 * is fixed, with the failed stores tried again.
	 */
	HALTED,

	/**
	 * Every store was tried and the failures stayed under the rate; stores that failed or
	 * are still busy are named in its stores and left to the next pass.
	 */
	COMPLETED,

	/** Replaced by a rollout of another version before it ended. */
	SUPERSEDED;

	/** Whether the rollout still blocks a new one. */
	public boolean isOpen() {
		return this == RUNNING || this == PAUSED || this == HALTED;
	}

}
