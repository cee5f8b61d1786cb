package io.tierflow.billing.usage;

import java.util.HashMap;
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

	private static final int BATCH = 500;

	private final ParkedUsage parked;

	private final UsageEvents events;

	ParkedUsageReplay(ParkedUsage parked, UsageEvents events) {
		this.parked = parked;
		this.events = events;
	}

	@Scheduled(fixedDelayString = "${tierflow.billing.parked-replay-every:5s}",
			initialDelayString = "${tierflow.billing.parked-replay-every:5s}")
	void replay() {
		// Asked once per tenant of the run, not per event.
		Map<UUID, Boolean> erased = new HashMap<>();
		Map<UUID, Boolean> ready = new HashMap<>();
		for (DomainEvent event : this.parked.oldest(BATCH)) {
			try {
				if (this.events.dropped(event, erased)) {
					this.parked.remove(event);
				}
				else if (ready.computeIfAbsent(event.tenantId(), this.events::ready)) {
					this.events.apply(event);
					this.parked.remove(event);
				}
			}
			catch (MalformedEventException ex) {
				log.warn("Parked usage event {} is malformed, dropped from parking: {}", event.id(), ex.getMessage());
				this.parked.remove(event);
			}
			catch (RuntimeException ex) {
				log.debug("Parked usage event {} not replayed yet: {}", event.id(), ex.toString());
			}
		}
	}

}
