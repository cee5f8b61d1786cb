package io.tierflow.billing.invoice;

import java.util.List;

import io.tierflow.tenancy.TenancyAutoConfiguration;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantErasedException;
import io.tierflow.tenancy.placement.TenantPlacement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Finalizes the invoices whose grace period is over, tenant by tenant, each tenant in a
 * transaction of its own on its store (a read-only one when nothing is due): one tenant's
 * failure does not hold up the others, and the next run retries it. Safe to run on
 * several instances at once: a month is closed by exactly one of them. Tenants being
 * erased are not visited (their placement is ERASING, or suspended while their last
 * invoices are issued by {@link FinalInvoices}); one whose erase starts during a visit is
 * left to it.
 */
@Component
public class InvoiceFinalizer {

	private static final Logger log = LoggerFactory.getLogger(InvoiceFinalizer.class);

	private static final int PAGE = 500;

	private final Invoices invoices;

	private final PlacementRepository placements;

	private final TransactionTemplate controlTx;

	private final TransactionTemplate tx;

	private final TransactionTemplate readTx;

	InvoiceFinalizer(Invoices invoices, PlacementRepository placements,
			@Qualifier(TenancyAutoConfiguration.CONTROL) TransactionTemplate controlTx,
			PlatformTransactionManager transactionManager) {
		this.invoices = invoices;
		this.placements = placements;
		this.controlTx = controlTx;
		this.tx = new TransactionTemplate(transactionManager);
		this.readTx = new TransactionTemplate(transactionManager);
		this.readTx.setReadOnly(true);
	}

	/**
	 * Finalizes every due invoice of every ready tenant.
	 * @return the number of invoices finalized
	 */
	@Scheduled(fixedDelayString = "${tierflow.billing.invoicing.finalize-every:1m}",
			initialDelayString = "${tierflow.billing.invoicing.finalize-every:1m}")
	public int finalizeDue() {
		int finalized = 0;
		for (int offset = 0;; offset += PAGE) {
			int from = offset;
			List<TenantPlacement> page = this.controlTx.execute((s) -> this.placements.findAll(PAGE, from));
			for (TenantPlacement placement : page) {
				if (placement.state() == PlacementState.READY && !placement.suspended()) {
					finalized += finalizeDue(placement);
				}
			}
			if (page.size() < PAGE) {
				return finalized;
			}
		}
	}

	private int finalizeDue(TenantPlacement placement) {
		try (TenantContext.Scope scope = TenantContext.open(placement.tenantId())) {
			// Most visits find nothing due: they stay read-only.
			if (!Boolean.TRUE.equals(this.readTx.execute((s) -> this.invoices.hasDue()))) {
				return 0;
			}
			Integer n = this.tx.execute((s) -> this.invoices.finalizeDue());
			return (n != null) ? n : 0;
		}
		catch (RuntimeException ex) {
			if (erasedMeanwhile(ex)) {
				log.debug("Invoices of tenant {} not finalized: it is being erased", placement.tenantId());
				return 0;
			}
			log.warn("Invoices of tenant {} not finalized, retried next run: {}", placement.tenantId(), ex.toString());
			return 0;
		}
	}

	private static boolean erasedMeanwhile(Throwable ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t instanceof TenantErasedException) {
				return true;
			}
		}
		return false;
	}

}
