package io.tierflow.billing.invoice;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Data of {@code tierflow.invoice.finalized.v1} on {@code tierflow.invoice}: a tenant's
 * invoice for a month is final. Written to the outbox in the transaction that finalizes
 * it.
 *
 * @param period the month, {@code yyyy-MM}
 * @param lines number of invoice lines
 */
public record InvoiceFinalized(UUID tenantId, UUID invoiceId, String period, String currency, BigDecimal total,
		int lines, OffsetDateTime finalizedAt) {
}
