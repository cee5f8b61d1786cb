package io.tierflow.billing.invoice;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tierflow.mover.ErasureStep;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Billing's part of erasing a tenant: before its store goes, the tenant's last invoices
 * are issued ({@link Invoices#finalizeLast}: every open month closed, the current one
 * prorated to the erase day, {@code invoice.finalized} in the store's outbox, which the
 * eraser lets drain) and every final invoice is copied to the control database, where it
 * is kept for the retention ({@link RetainedInvoices}). Both steps are safe to repeat: a
 * closed month is not invoiced again, a kept invoice not copied again. Runs after the
 * tenant's parked usage is metered (its order), so that usage is on the last invoice.
 */
@Component
@Order(FinalInvoices.ORDER)
class FinalInvoices implements ErasureStep {

	/** After the parked usage's step. */
	static final int ORDER = 100;

	private static final Logger log = LoggerFactory.getLogger(FinalInvoices.class);

	private final Invoices invoices;

	private final RetainedInvoices retained;

	private final TransactionTemplate tx;

	private final TransactionTemplate readTx;

	FinalInvoices(Invoices invoices, RetainedInvoices retained, PlatformTransactionManager transactionManager) {
		this.invoices = invoices;
		this.retained = retained;
		this.tx = new TransactionTemplate(transactionManager);
		this.readTx = new TransactionTemplate(transactionManager);
		this.readTx.setReadOnly(true);
	}

	@Override
	public void beforeErase(UUID tenant) {
		Integer finalized = this.tx.execute((s) -> this.invoices.finalizeLast());
		List<Invoice> finals = this.readTx.execute((s) -> this.invoices.finals());
		this.retained.retain(tenant, finals);
		log.info("Tenant {}: {} last invoices finalized, {} final invoices kept for the retention", tenant, finalized,
				finals.size());
	}

	@Override
	public Map<String, Long> keeps(UUID tenant) {
		return Map.of("invoices", this.retained.count(tenant));
	}

}
