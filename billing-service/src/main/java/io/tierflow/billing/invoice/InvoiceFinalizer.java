package io.tierflow.billing.invoice;

import java.time.Duration;
import java.util.List;

import io.tierflow.tenancy.TenancyAutoConfiguration;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.lease.JobLease;
import io.tierflow.tenancy.lease.JobLeases;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantErasedException;
import io.tierflow.tenancy.placement.TenantPlacement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Finalizes the invoices whose grace period is over, tenant by tenant, each tenant in a
 * transaction of its own on its store (a read-only one when nothing is due): one tenant's
 * failure does not hold up the others, and the next run retries it. Runs every
 * {@code finalize-every} on one instance at a time, the holder of its {@link JobLease};
 * two runs at once would still close a month exactly once. Tenants being erased are not
 * visited (their placement is ERASING, or suspended while their last invoices are issued
 * by {@link FinalInvoices}); one whose erase starts during a visit is left to it.
 */
@Component
public class InvoiceFinalizer implements SchedulingConfigurer {

	private static final Logger log = LoggerFactory.getLogger(InvoiceFinalizer.class);

	/**
	 * A run visits every placed tenant, a read-only transaction each when nothing is due
	 * (seconds for thousands of tenants, more at a month's close): if its holder dies
	 * mid-run, finalization waits this much longer, against a grace period of days.
	 */
	private static final Duration LEASE_AT_MOST = Duration.ofMinutes(30);

	private static final int PAGE = 500;

	private final Invoices invoices;

	private final PlacementRepository placements;

	private final TransactionTemplate controlTx;

	private final TransactionTemplate tx;

	private final TransactionTemplate readTx;

	private final InvoicingProperties properties;

	private final JobLeases leases;

	InvoiceFinalizer(Invoices invoices, PlacementRepository placements,
			@Qualifier(TenancyAutoConfiguration.CONTROL) TransactionTemplate controlTx,
			PlatformTransactionManager transactionManager, InvoicingProperties properties, JobLeases leases) {
		this.invoices = invoices;
		this.placements = placements;
		this.controlTx = controlTx;
		this.tx = new TransactionTemplate(transactionManager);
		this.readTx = new TransactionTemplate(transactionManager);
		this.readTx.setReadOnly(true);
		this.properties = properties;
		this.leases = leases;
	}

	@Override
	public void configureTasks(ScheduledTaskRegistrar registrar) {
		Duration every = this.properties.finalizeEvery();
		JobLease lease = new JobLease("billing.invoice-finalizer", every, LEASE_AT_MOST);
		registrar.addFixedDelayTask(new FixedDelayTask(() -> this.leases.run(lease, this::finalizeDue), every, every));
	}

	/**
	 * Finalizes every due invoice of every ready tenant.
	 * @return the number of invoices finalized
	 */
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
