package io.tierflow.events;

import java.util.UUID;
import java.util.function.Predicate;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops events that arrive for a tenant erased in this service (or being erased): they
 * are counted ({@code tierflow.events.dropped}, tagged by reason only, never by tenant)
 * and logged, never parked, retried or dead-lettered, and never create state again.
 * Events already on Kafka stay until the topic's retention removes them.
 */
public class ErasedTenantEvents {

	private static final Logger log = LoggerFactory.getLogger(ErasedTenantEvents.class);

	private final Predicate<UUID> erased;

	private final Counter dropped;

	/**
	 * @param erased whether a tenant is erased here; answered from a cache for served and
	 * erased tenants
	 */
	public ErasedTenantEvents(Predicate<UUID> erased, MeterRegistry meters) {
		this.erased = erased;
		this.dropped = Counter.builder("tierflow.events.dropped")
			.description("Events dropped because their tenant is erased")
			.tag("reason", "tenant_erased")
			.register((meters != null) ? meters : new SimpleMeterRegistry());
	}

	/**
	 * Whether the event must be dropped, counting it if so.
	 * @param what the event, for the log (its id and type)
	 */
	public boolean drop(UUID tenant, String what) {
		if (!this.erased.test(tenant)) {
			return false;
		}
		this.dropped.increment();
		log.info("Dropped {}: tenant {} is erased", what, tenant);
		return true;
	}

	/** Events dropped so far by this instance. */
	public long dropped() {
		return (long) this.dropped.count();
	}

}
