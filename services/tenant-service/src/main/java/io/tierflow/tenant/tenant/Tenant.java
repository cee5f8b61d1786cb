package io.tierflow.tenant.tenant;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import io.tierflow.tenancy.placement.Tier;

/**
 * A tenant as the API shows it, with its placement in every service and the change of
 * tier or cluster under way, if any.
 */
public record Tenant(UUID id, String name, String slug, Plan plan, Tier tier, String region, TenantStatus status,
		String statusReason, OffsetDateTime createdAt, List<ServicePlacement> placements,
		TierChange pendingTierChange) {

	/** One service's placement of the tenant, as that service reported it. */
	public record ServicePlacement(String service, String state, Tier tier, String isolation, String cluster,
			String database, String schema, Long epoch, String reason) {
	}

}
