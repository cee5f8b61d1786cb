package io.tierflow.billing.usage;

import java.time.OffsetDateTime;

import io.tierflow.billing.pricing.PriceTier;

/** The tenant's tier from {@code effectiveAt} on, and the event that said so. */
public record TierPeriod(PriceTier tier, OffsetDateTime effectiveAt, String eventId) {
}
