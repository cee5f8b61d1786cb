package io.tierflow.billing.meter;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A usage meter as the API shows it. */
public record Meter(UUID id, String key, String unit, String description, OffsetDateTime createdAt) {
}
