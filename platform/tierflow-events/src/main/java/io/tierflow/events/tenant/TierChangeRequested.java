package io.tierflow.events.tenant;

import java.util.List;
import java.util.UUID;

import io.tierflow.tenancy.placement.Tier;

/**
 * Data of {@code tierflow.tenant.tier_change_requested.v1} and of
 * {@code tierflow.tenant.tier_change_rollback_requested.v1}: move the tenant's data in
 * each named service to a placement of {@code toTier}.
 *
 * @param changeId the tier change this move belongs to; replies carry it
 * @param rebalance keep the tier, move to another cluster than the current one
 * @param services the services that move; null or empty means every tenant-data service
 * @param rollback whether this moves the tenant back after a failed change (then
 * {@code toTier} is the tier it had before)
 */
public record TierChangeRequested(UUID tenantId, UUID changeId, String fromPlan, String toPlan, Tier fromTier,
		Tier toTier, boolean rebalance, List<String> services, boolean rollback) {

	/** Whether {@code service} takes part in this move. */
	public boolean concerns(String service) {
		return this.services == null || this.services.isEmpty() || this.services.contains(service);
	}

}
