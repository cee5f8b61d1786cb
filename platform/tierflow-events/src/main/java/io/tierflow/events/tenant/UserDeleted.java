package io.tierflow.events.tenant;

import java.util.UUID;

/**
 * Data of {@code tierflow.user.deleted.v1}. It carries ids only: the user's name and
 * e-mail address are personal data that need not outlive the user on the topic.
 */
public record UserDeleted(UUID tenantId, UUID userId) {
}
