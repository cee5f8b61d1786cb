package io.tierflow.tenancy.placement;

import java.util.UUID;

/** A tier move of the tenant is already running in this service. */
public class ConflictingMoveException extends RuntimeException {

	public ConflictingMoveException(UUID tenantId) {
		super("A tier move of tenant " + tenantId + " is already running");
	}

}
