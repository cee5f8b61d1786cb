package io.tierflow.tenancy.placement;

import java.util.UUID;

/** The tenant has no placement in this service. */
public class UnknownTenantException extends RuntimeException {

	private final UUID tenantId;

	public UnknownTenantException(UUID tenantId) {
		super("Tenant " + tenantId + " is not known to this service");
		this.tenantId = tenantId;
	}

	public UUID tenantId() {
		return this.tenantId;
	}

}
