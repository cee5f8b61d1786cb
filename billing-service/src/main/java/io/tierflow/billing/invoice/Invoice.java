package io.tierflow.billing.invoice;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * A tenant's invoice for one calendar month (UTC). A DRAFT is recomputed from the usage
 * on every read; a FINALIZED one is stored and never changes.
 *
 * @param period the month, {@code yyyy-MM}
 */
public record Invoice(UUID id, String period, String status, String currency, BigDecimal total,
		OffsetDateTime finalizedAt, List<InvoiceLine> lines) {

	static final String DRAFT = "DRAFT";

	static final String FINALIZED = "FINALIZED";

	InvoiceSummary summary() {
		return new InvoiceSummary(this.id, this.period, this.status, this.currency, this.total, this.finalizedAt);
	}

}
