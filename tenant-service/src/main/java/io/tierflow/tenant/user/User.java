package io.tierflow.tenant.user;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A user of a tenant. */
public record User(UUID id, UUID tenantId, String email, String name, UserRole role, OffsetDateTime createdAt) {
}
