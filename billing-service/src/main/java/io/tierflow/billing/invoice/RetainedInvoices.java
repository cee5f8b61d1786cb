package io.tierflow.billing.invoice;

import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.util.List;
import java.util.UUID;

import io.tierflow.billing.control.BillingControlSchema;
import io.tierflow.tenancy.TenancyAutoConfiguration;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The final invoices of erased tenants, kept in the control database's {@code billing}
 * schema ({@link BillingControlSchema}) after the tenant's store is gone, for the
 * retention the law asks of invoices. Without the ids of the usage events behind the
 * lines: the events are erased.
 */
@Repository
class RetainedInvoices {

	private final JdbcClient control;

	private final TransactionTemplate controlTx;

	/**
	 * @param schema taken so that the tables are migrated before they are used
	 */
	RetainedInvoices(@Qualifier(TenancyAutoConfiguration.CONTROL) JdbcClient control,
			@Qualifier(TenancyAutoConfiguration.CONTROL) TransactionTemplate controlTx, BillingControlSchema schema) {
		this.control = control;
		this.controlTx = controlTx;
	}

	/**
	 * Keeps the tenant's final invoices, in one transaction; invoices kept already stay
	 * as they are (a final invoice never changes).
	 */
	void retain(UUID tenant, List<Invoice> invoices) {
		this.controlTx.executeWithoutResult((s) -> {
			for (Invoice invoice : invoices) {
				int inserted = this.control
					.sql("insert into billing.retained_invoice (tenant_id, id, period, currency, total, finalized_at)"
							+ " values (?, ?, ?, ?, ?, ?) on conflict do nothing")
					.params(tenant, invoice.id(), YearMonth.parse(invoice.period()).atDay(1), invoice.currency(),
							invoice.total(), invoice.finalizedAt())
					.update();
				if (inserted == 0) {
					continue;
				}
				int n = 0;
				for (InvoiceLine line : invoice.lines()) {
					this.control
						.sql("insert into billing.retained_invoice_line (tenant_id, invoice_id, line_no, kind,"
								+ " description, quantity, unit, unit_price, amount, note)"
								+ " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
						.params(tenant, invoice.id(), ++n, line.kind(), line.description(), line.quantity(),
								line.unit(), line.unitPrice(), line.amount(), line.note())
						.update();
				}
			}
		});
	}

	/** How many invoices of the tenant are kept. */
	long count(UUID tenant) {
		return this.control.sql("select count(*) from billing.retained_invoice where tenant_id = ?")
			.param(tenant)
			.query(Long.class)
			.single();
	}

	/**
	 * Deletes the kept invoices finalized before {@code cutoff}, with their lines.
	 * @return how many invoices were deleted
	 */
	int purgeFinalizedBefore(OffsetDateTime cutoff) {
		return this.control.sql("delete from billing.retained_invoice where finalized_at < ?").param(cutoff).update();
	}

}
