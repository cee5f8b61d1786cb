package io.tierflow.billing.invoice;

import java.time.Duration;
import java.time.Period;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * When invoices become final, and how long they are kept after their tenant is erased.
 *
 * @param grace how long after its month ends an invoice stays a draft, so usage that
 * arrives late still lands in its own month
 * @param finalizeEvery how often the finalization job looks for due invoices
 * @param retention how long the final invoices of an erased tenant are kept, counted from
 * their finalization: invoices are legal records (ten years is the longest that common
 * bookkeeping laws ask for)
 * @param purgeEvery how often retained invoices past their retention are deleted
 */
@ConfigurationProperties("tierflow.billing.invoicing")
public record InvoicingProperties(@DefaultValue("3d") Duration grace, @DefaultValue("1m") Duration finalizeEvery,
		@DefaultValue("10y") Period retention, @DefaultValue("1d") Duration purgeEvery) {

	public InvoicingProperties {
		if (grace.isNegative()) {
			throw new IllegalArgumentException("tierflow.billing.invoicing.grace must not be negative");
		}
		if (retention.isNegative()) {
			throw new IllegalArgumentException("tierflow.billing.invoicing.retention must not be negative");
		}
		if (purgeEvery.isNegative() || purgeEvery.isZero()) {
			throw new IllegalArgumentException("tierflow.billing.invoicing.purge-every must be positive");
		}
	}

}
