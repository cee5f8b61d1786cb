package io.tierflow.tenancy.migration;

/**
 * A rollout cannot do what was asked in its current state: one is open already, or it has
 * ended, or it is of another version than this instance runs.
 */
public class RolloutConflictException extends RuntimeException {

	public RolloutConflictException(String message) {
		super(message);
	}

}
