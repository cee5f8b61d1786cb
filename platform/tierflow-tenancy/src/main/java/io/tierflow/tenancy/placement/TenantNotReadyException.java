package io.tierflow.tenancy.placement;

import java.util.UUID;

/**
 * The tenant's placement exists but is not migrated to the latest version yet (or
 * failed).
 */
public class TenantNotReadyException extends RuntimeException {

	public TenantNotReadyException(UUID tenantId, String why) {
		super("Tenant " + tenantId + " is not ready in this service: " + why);
	}

}
