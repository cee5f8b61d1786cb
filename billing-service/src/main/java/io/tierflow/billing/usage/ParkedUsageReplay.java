package io.tierflow.billing.usage;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tierflow.events.DomainEvent;
import io.tierflow.events.MalformedEventException;
import io.tierflow.tenancy.lease.JobLease;
import io.tierflow.tenancy.lease.JobLeases;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * Replays parked usage events whose tenant has become ready, through the same inbox as
 * live events: a crash between applying and unparking replays an event the inbox then
 * ignores. Parked events of a tenant erased here are dropped (and counted), never
 * replayed. Runs every {@code tierflow.billing.parked-replay-every} on one instance at a
 * time, the holder of its {@link JobLease}: two replays of one tenant at once would race
 * for the same events, the inbox letting one of them through.
 */
@Component
class ParkedUsageReplay implements SchedulingConfigurer {

	private static final Logger log = LoggerFactory.getLogger(ParkedUsageReplay.class);

	/**
	 * Usually nothing is parked; a backlog run replays up to {@link #TENANTS} ×
	 * {@link #BATCH} events, minutes at most. If its holder dies mid-run, parked events
	 * wait this much longer.
	 */
	private static final Duration LEASE_AT_MOST = Duration.ofMinutes(10);

	/** Events replayed per tenant and run. */
	private static final int BATCH = 500;

	/** Tenants visited per run. */
	private static final int TENANTS = 1000;

	private final ParkedUsage parked;

	private final UsageEvents events;

	private final Duration every;

	private final JobLeases leases;

	ParkedUsageReplay(ParkedUsage parked, UsageEvents events,
			@Value("${tierflow.billing.parked-replay-every:5s}") Duration every, JobLeases leases) {
		this.parked = parked;
		this.events = events;
		this.every = every;
		this.leases = leases;
	}

	@Override
	public void configureTasks(ScheduledTaskRegistrar registrar) {
		JobLease lease = new JobLease("billing.parked-usage-replay", this.every, LEASE_AT_MOST);
		registrar
			.addFixedDelayTask(new FixedDelayTask(() -> this.leases.run(lease, this::replay), this.every, this.every));
	}

	void replay() {
		// Tenant by tenant, the longest waiting first: a tenant that never becomes ready
		// here keeps its events parked without holding back anyone else's.
		for (UUID tenant : this.parked.tenants(TENANTS)) {
			try {
				replay(tenant);
			}
			catch (RuntimeException ex) {
				log.debug("Parked usage events of tenant {} not replayed yet: {}", tenant, ex.toString());
			}
		}
	}

	private void replay(UUID tenant) {
		Map<UUID, Boolean> erased = new HashMap<>();
		List<DomainEvent> events = this.parked.oldest(tenant, BATCH);
		if (events.isEmpty() || (!this.events.ready(tenant) && !this.events.dropped(events.get(0), erased))) {
			return;
		}
		for (DomainEvent event : events) {
			try {
				if (this.events.dropped(event, erased)) {
					this.parked.remove(event);
				}
				else {
					this.events.apply(event);
					this.parked.remove(event);
				}
			}
			catch (MalformedEventException ex) {
				log.warn("Parked usage event {} is malformed, dropped from parking: {}", event.id(), ex.getMessage());
				this.parked.remove(event);
			}
		}
	}

}
