package io.tierflow.events.tenant;

import java.util.UUID;

import io.tierflow.tenancy.placement.Tier;

/** Data of {@code tierflow.tenant.created.v1}. */
public record TenantCreated(UUID tenantId, String name, String slug, String plan, Tier tier, String region) {
}
