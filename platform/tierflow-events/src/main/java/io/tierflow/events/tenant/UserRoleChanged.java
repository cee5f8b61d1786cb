package io.tierflow.events.tenant;

import java.util.UUID;

/**
 * Data of {@code tierflow.user.role_changed.v1}.
 *
 * @param role the user's role from now on ({@code TENANT_ADMIN} or {@code USER})
 * @param previousRole the role the user had before
 */
public record UserRoleChanged(UUID tenantId, UUID userId, String role, String previousRole) {
}
