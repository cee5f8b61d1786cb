package io.tierflow.tenancy.placement;

import java.util.UUID;

/**
 * The tenant is erased here, or being erased: nothing of it is served, and events that
 * arrive for it are dropped.
 */
public class TenantErasedException extends RuntimeException {

	private final UUID tenantId;

	public TenantErasedException(UUID tenantId) {
		super("Tenant " + tenantId + " has been deleted");
		this.tenantId = tenantId;
	}

	public UUID tenantId() {
		return this.tenantId;
	}

}
