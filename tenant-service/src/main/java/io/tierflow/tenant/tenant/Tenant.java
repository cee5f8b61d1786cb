package io.tierflow.tenant.tenant;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import io.tierflow.tenancy.placement.Tier;

/**
 * A tenant as the API shows it, with its placement in every service and the change of
 * tier or cluster under way, if any. An erased tenant is its tombstone: name and slug
 * scrubbed, each service's placement ERASED.
 *
 * @param deleteRequestedAt when the tenant was deleted, or null
 * @param eraseAfter when its grace period ends and the erase starts, or null
 * @param erasedAt when every service had erased it, or null
 */
public record Tenant(UUID id, String name, String slug, Plan plan, Tier tier, String region, TenantStatus status,
		String statusReason, OffsetDateTime createdAt, OffsetDateTime deleteRequestedAt, OffsetDateTime eraseAfter,
		OffsetDateTime erasedAt, List<ServicePlacement> placements, TierChange pendingTierChange) {

	/**
	 * One service's placement of the tenant, as that service reported it.
	 *
	 * @param state PENDING, READY or FAILED while provisioning; ERASING, then ERASED when
	 * the tenant is offboarded
	 * @param erasedAt when the service erased the tenant, or null
	 */
	public record ServicePlacement(String service, String state, Tier tier, String isolation, String cluster,
			String database, String schema, Long epoch, String reason, OffsetDateTime erasedAt) {
	}

}
