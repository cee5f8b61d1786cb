package io.tierflow.tenancy.placement;

import java.util.UUID;

/**
 * A tenant's provisioning stopped on a {@linkplain TransientFailures transient failure}
 * (its store's server restarting, no connection to be had): its placement stays
 * PROVISIONING, nothing is answered, and provisioning it again — the redelivered request
 * — finishes it.
 */
public class ProvisioningDeferredException extends RuntimeException {

	public ProvisioningDeferredException(UUID tenantId, StoreKey store, Throwable cause) {
		super("Tenant " + tenantId + " is not provisioned yet on " + store + ", to be tried again: " + cause, cause);
	}

}
