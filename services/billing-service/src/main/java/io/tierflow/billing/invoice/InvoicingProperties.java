package io.tierflow.billing.invoice;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * When invoices become final.
 *
 * @param grace how long after its month ends an invoice stays a draft, so usage that
 * arrives late still lands in its own month
 * @param finalizeEvery how often the finalization job looks for due invoices
 */
@ConfigurationProperties("tierflow.billing.invoicing")
public record InvoicingProperties(@DefaultValue("3d") Duration grace, @DefaultValue("1m") Duration finalizeEvery) {

	public InvoicingProperties {
		if (grace.isNegative()) {
			throw new IllegalArgumentException("tierflow.billing.invoicing.grace must not be negative");
		}
	}

}
