package io.tierflow.tenancy.autopilot;

/**
 * A placement decision cannot be made now: nothing to move, a cool-down, or a decision
 * under way (answered with 409).
 */
public class AutopilotConflictException extends RuntimeException {

	public AutopilotConflictException(String message) {
		super(message);
	}

}
