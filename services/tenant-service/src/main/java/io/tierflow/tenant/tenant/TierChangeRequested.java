package io.tierflow.tenant.tenant;

import java.util.UUID;

import io.tierflow.tenancy.placement.Tier;

/** Data of {@code tierflow.tenant.tier_change_requested.v1}. */
record TierChangeRequested(UUID tenantId, UUID changeId, String fromPlan, String toPlan, Tier fromTier, Tier toTier) {
}
