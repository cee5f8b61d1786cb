package io.tierflow.billing.usage;

import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.util.UUID;

/**
 * A calendar month (UTC) of the tenant. {@code id} is its invoice's id, draft or final;
 * {@code closedAt} is set when its invoice was finalized.
 */
public record BillingPeriod(UUID id, YearMonth month, OffsetDateTime closedAt) {

	public boolean closed() {
		return this.closedAt != null;
	}

}
