package io.tierflow.tenancy.placement;

/**
 * A cluster registration conflicts with a cluster that exists: answered with 409.
 */
public class ClusterConflictException extends RuntimeException {

	public ClusterConflictException(String message) {
		super(message);
	}

}
