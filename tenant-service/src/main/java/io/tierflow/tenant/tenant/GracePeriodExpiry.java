package io.tierflow.tenant.tenant;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * Requests the erase of deleted tenants whose grace period has ended, every
 * {@code tierflow.tenants.erase-check}. Every instance checks; the due rows are taken
 * with {@code for update skip locked}, so two instances never request the same erase and
 * neither waits for the other.
 */
@Component
class GracePeriodExpiry implements SchedulingConfigurer {

	private static final Logger log = LoggerFactory.getLogger(GracePeriodExpiry.class);

	private final TenantOffboarding offboarding;

	private final OffboardingProperties properties;

	GracePeriodExpiry(TenantOffboarding offboarding, OffboardingProperties properties) {
		this.offboarding = offboarding;
		this.properties = properties;
	}

	@Override
	public void configureTasks(ScheduledTaskRegistrar registrar) {
		Duration every = this.properties.eraseCheck();
		registrar.addFixedDelayTask(new FixedDelayTask(this::check, every, every));
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
