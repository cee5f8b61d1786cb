package io.tierflow.events.tenant;

import java.util.UUID;

/** Data of {@code tierflow.user.created.v1}. */
public record UserCreated(UUID tenantId, UUID userId, String email, String name, String role) {
}
