package io.tierflow.tenancy.placement;

/**
 * No configured cluster can take the tenant: wrong region, all full, or all unhealthy.
 */
public class NoPlacementAvailableException extends RuntimeException {

	public NoPlacementAvailableException(String message) {
		super(message);
	}

}
