package io.tierflow.events.tenant;

import java.util.UUID;

/**
 * Data of {@code tierflow.tenant.suspended.v1}, {@code reactivated.v1} and
 * {@code deleted.v1}.
 */
public record TenantStatusChanged(UUID tenantId, String status) {
}
