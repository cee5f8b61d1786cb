package io.tierflow.events.tenant;

import java.util.UUID;

import io.tierflow.tenancy.placement.Tier;

/**
 * Data of {@code tierflow.tenant.tier_changed.v1} (every service moved; the plan is the
 * new one) and of {@code tierflow.tenant.tier_change_failed.v1} (the tenant stays on
 * {@code fromPlan}; {@code reason} says why).
 */
public record TierChanged(UUID tenantId, UUID changeId, String fromPlan, String toPlan, Tier fromTier, Tier toTier,
		boolean rebalance, String reason) {
}
