package io.tierflow.billing.usage;

import java.util.Map;
import java.util.UUID;

import io.tierflow.events.DomainEvent;
import io.tierflow.events.MalformedEventException;
import io.tierflow.mover.ErasureStep;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * The parked usage of a tenant being erased. Before its store goes, what was parked while
 * it was suspended (runs that finished during its grace period, say) is metered, so that
 * it is on the last invoice, which is issued after this step (its order). What cannot be
 * metered, and anything parked for a tenant that never had a store here, is removed with
 * the tenant and counted in the report as {@code parkedEvents}.
 */
@Component
@Order(ParkedUsageErasure.ORDER)
class ParkedUsageErasure implements ErasureStep {

	/** Before the last invoice's step. */
	static final int ORDER = 0;

	private static final Logger log = LoggerFactory.getLogger(ParkedUsageErasure.class);

	private final ParkedUsage parked;

	private final UsageEvents events;

	ParkedUsageErasure(ParkedUsage parked, UsageEvents events) {
		this.parked = parked;
		this.events = events;
	}

	@Override
	public void beforeErase(UUID tenant) {
		int metered = 0;
		for (DomainEvent event : this.parked.of(tenant)) {
			try {
				this.events.apply(event);
				this.parked.remove(event);
				metered++;
			}
			catch (MalformedEventException ex) {
				log.warn("Parked usage event {} is malformed, dropped from parking: {}", event.id(), ex.getMessage());
				this.parked.remove(event);
			}
			catch (RuntimeException ex) {
				log.warn("Parked usage event {} of tenant {} not metered before its erase; it goes with the tenant: {}",
						event.id(), tenant, ex.toString());
			}
		}
		if (metered > 0) {
			log.info("Tenant {}: {} parked usage events metered before its last invoice", tenant, metered);
		}
	}

	@Override
	public Map<String, Long> removes(UUID tenant) {
		return Map.of("parkedEvents", this.parked.count(tenant));
	}

	@Override
	public void erase(UUID tenant) {
		this.parked.removeAll(tenant);
	}

}
