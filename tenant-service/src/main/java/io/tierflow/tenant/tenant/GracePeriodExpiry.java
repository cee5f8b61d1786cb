package io.tierflow.tenant.tenant;

import java.time.Duration;

import io.tierflow.tenancy.lease.JobLease;
import io.tierflow.tenancy.lease.JobLeases;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * Requests the erase of deleted tenants whose grace period has ended, every
 * {@code tierflow.tenants.erase-check}, on one instance at a time: the holder of the
 * check's {@link JobLease} in tenant-service's database. The due rows are taken with
 * {@code for update skip locked} all the same, so two checks at once (a holder that
 * outlived its lease) never request the same erase and neither waits for the other.
 */
@Component
class GracePeriodExpiry implements SchedulingConfigurer {

	private static final Logger log = LoggerFactory.getLogger(GracePeriodExpiry.class);

	/**
	 * A check requests erases in batches, seconds at most: if its holder dies mid-check,
	 * erases are requested this much later, against a grace period of days.
	 */
	private static final Duration LEASE_AT_MOST = Duration.ofMinutes(5);

	private final TenantOffboarding offboarding;

	private final OffboardingProperties properties;

	private final JobLeases leases;

	GracePeriodExpiry(TenantOffboarding offboarding, OffboardingProperties properties, JobLeases leases) {
		this.offboarding = offboarding;
		this.properties = properties;
		this.leases = leases;
	}

	@Override
	public void configureTasks(ScheduledTaskRegistrar registrar) {
		Duration every = this.properties.eraseCheck();
		JobLease lease = new JobLease("tenant.grace-period-expiry", every, LEASE_AT_MOST);
		registrar.addFixedDelayTask(new FixedDelayTask(() -> this.leases.run(lease, this::check), every, every));
	}

	/**
	 * @return the number of erases requested
	 */
	int check() {
		int requested = 0;
		try {
			int batch;
			do {
				batch = this.offboarding.startDueErasures();
				requested += batch;
			}
			while (batch == TenantOffboarding.ERASE_BATCH);
		}
		catch (RuntimeException ex) {
			// The database is unreachable or failing: the tenants stay due, and the next
			// check takes them.
			log.warn("Grace-period check failed after {} erase requests: {}", requested, ex.toString());
		}
		return requested;
	}

}
