package io.tierflow.billing.invoice;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.UUID;

/** An invoice in a listing, without its lines. */
public record InvoiceSummary(UUID id, String period, String status, String currency, BigDecimal total,
		OffsetDateTime finalizedAt) {
}
