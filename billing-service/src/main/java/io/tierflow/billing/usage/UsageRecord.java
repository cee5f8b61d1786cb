package io.tierflow.billing.usage;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One metered event.
 *
 * @param eventId the CloudEvents id of the event it was metered from
 * @param period first day of the month it is billed in
 * @param note why it is billed in another month than it occurred in, or null
 */
public record UsageRecord(UUID id, String eventId, String eventType, UsageKind kind, long quantity,
		OffsetDateTime occurredAt, LocalDate period, String note) {
}
