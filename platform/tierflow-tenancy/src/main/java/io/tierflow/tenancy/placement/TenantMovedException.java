package io.tierflow.tenancy.placement;

import java.util.UUID;

/**
 * The tenant's data has moved away from the store a transaction was about to use (a tier
 * move's fence): the transaction manager routes it again, to the new placement. Seen by
 * callers only when the new placement could not be reached in time.
 */
public class TenantMovedException extends RuntimeException {

	public TenantMovedException(UUID tenantId, String store) {
		super("Tenant " + tenantId + " has moved away from " + store + " and its new placement is not reachable yet");
	}

}
