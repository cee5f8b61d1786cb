package io.tierflow.billing.usage;

import java.time.OffsetDateTime;

/**
 * Usage read from one event, to be recorded.
 *
 * @param eventId the CloudEvents id of the event
 * @param quantity units of {@code kind}; a signed delta for storage
 * @param occurredAt when the usage happened: it decides the month it is billed in
 */
record MeteredUsage(String eventId, String eventType, UsageKind kind, long quantity, OffsetDateTime occurredAt) {
}
