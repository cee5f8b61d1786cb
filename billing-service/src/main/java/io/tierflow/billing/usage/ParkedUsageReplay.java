package io.tierflow.billing.usage;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tierflow.events.DomainEvent;
import io.tierflow.events.MalformedEventException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Replays parked usage events whose tenant has become ready, through the same inbox as
 * live events: a crash between applying and unparking replays an event the inbox then
 * ignores. Parked events of a tenant erased here are dropped (and counted), never
 * replayed.
 */
@Component
class ParkedUsageReplay {

	private static final Logger log = LoggerFactory.getLogger(ParkedUsageReplay.class);

	/** Events replayed per tenant and run. */
	private static final int BATCH = 500;

	/** Tenants visited per run. */
	private static final int TENANTS = 1000;

	private final ParkedUsage parked;

	private final UsageEvents events;

	ParkedUsageReplay(ParkedUsage parked, UsageEvents events) {
		this.parked = parked;
		this.events = events;
	}

	@Scheduled(fixedDelayString = "${tierflow.billing.parked-replay-every:5s}",
			initialDelayString = "${tierflow.billing.parked-replay-every:5s}")
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
