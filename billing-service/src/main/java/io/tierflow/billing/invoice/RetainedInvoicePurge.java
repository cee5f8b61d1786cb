package io.tierflow.billing.invoice;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;

import io.tierflow.tenancy.lease.JobLease;
import io.tierflow.tenancy.lease.JobLeases;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * Deletes the kept invoices of erased tenants once their retention is over
 * ({@code tierflow.billing.invoicing.retention}, from their finalization), every
 * {@code purge-every}, on one instance at a time (a {@link JobLease}, as the other
 * billing jobs); still safe should two purge at once.
 */
@Component
class RetainedInvoicePurge implements SchedulingConfigurer {

	/**
	 * The first purge after start-up comes this soon at the latest: instances restarted
	 * more often than {@code purge-every} (a day) would otherwise never purge.
	 */
	private static final Duration FIRST = Duration.ofMinutes(1);

	/** A purge taking longer than this is taken as dead: another instance may start. */
	private static final Duration LEASE_AT_MOST = Duration.ofMinutes(30);

	private static final Logger log = LoggerFactory.getLogger(RetainedInvoicePurge.class);

	private final RetainedInvoices retained;

	private final InvoicingProperties properties;

	private final Clock clock;

	private final JobLeases leases;

	RetainedInvoicePurge(RetainedInvoices retained, InvoicingProperties properties, Clock clock, JobLeases leases) {
		this.retained = retained;
		this.properties = properties;
		this.clock = clock;
		this.leases = leases;
	}

	@Override
	public void configureTasks(ScheduledTaskRegistrar registrar) {
		Duration every = this.properties.purgeEvery();
		JobLease lease = new JobLease("billing.retained-invoice-purge", every, LEASE_AT_MOST);
		registrar.addFixedDelayTask(new FixedDelayTask(() -> this.leases.run(lease, this::purge), every,
				(every.compareTo(FIRST) < 0) ? every : FIRST));
	}

	/**
	 * Deletes the kept invoices past their retention.
	 * @return how many were deleted
	 */
	int purge() {
		int purged = this.retained
			.purgeFinalizedBefore(OffsetDateTime.now(this.clock).minus(this.properties.retention()));
		if (purged > 0) {
			log.info("{} kept invoices of erased tenants purged: past their retention of {}", purged,
					this.properties.retention());
		}
		return purged;
	}

}
