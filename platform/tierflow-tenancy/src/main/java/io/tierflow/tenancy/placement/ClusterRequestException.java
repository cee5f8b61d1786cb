package io.tierflow.tenancy.placement;

/**
 * A cluster registration or change asks for something invalid, or the cluster does not
 * answer: answered with 400.
 */
public class ClusterRequestException extends RuntimeException {

	public ClusterRequestException(String message) {
		super(message);
	}

}
