package io.tierflow.tenancy.placement;

import java.util.UUID;

/** The tenant is suspended: its data is kept but not served. */
public class TenantSuspendedException extends RuntimeException {

	public TenantSuspendedException(UUID tenantId) {
		super("Tenant " + tenantId + " is suspended");
	}

}
