package io.tierflow.events.tenant;

import java.util.UUID;

import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.Tier;

/**
 * Data of {@code tierflow.tenant.provisioned.v1}: one service's reply to tenant.created.
 *
 * @param status READY or FAILED
 * @param reason why it failed, or null
 */
public record TenantProvisioned(UUID tenantId, String service, String status, Tier tier, IsolationMode isolation,
		String cluster, String database, String schema, long epoch, String reason) {

	public static final String READY = "READY";

	public static final String FAILED = "FAILED";

}
