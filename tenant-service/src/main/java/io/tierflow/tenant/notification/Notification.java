package io.tierflow.tenant.notification;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A message for one user of a tenant.
 *
 * @param kind WELCOME, SIMULATION_COMPLETED or SIMULATION_FAILED
 * @param eventId the domain event it came from
 */
public record Notification(UUID id, String kind, String title, String body, String eventId, OffsetDateTime createdAt,
		OffsetDateTime readAt) {
}
