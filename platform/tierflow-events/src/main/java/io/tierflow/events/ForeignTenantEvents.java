package io.tierflow.events;

import java.util.UUID;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Refuses an event whose data names another tenant than its record (the CloudEvents
 * extension {@code tenantid}, which the consumer's tenant is bound from): applying it
 * would write one tenant's data with another's claim, so it can only be a bug or a
 * forgery. The refusal is a {@link MalformedEventException}, which the bindings declare
 * non-retryable, so the event goes to the binding's dead-letter topic at once. It is
 * counted as {@code tierflow.events.refused} (tags {@code reason=tenant_mismatch} and the
 * consumer, never a tenant) and logged with the event's id, type and binding; neither the
 * log nor the exception repeats the data. Data that names no tenant is left to the
 * record's. A consumer checks before its event has any effect.
 */
public class ForeignTenantEvents {

	/** The meter of refused events. */
	public static final String METER = "tierflow.events.refused";

	private static final Logger log = LoggerFactory.getLogger(ForeignTenantEvents.class);

	private final String binding;

	private final Counter refused;

	/**
	 * @param consumer the consumer's name, a tag of the meter ({@code analytics.usage})
	 * @param binding the binding it consumes, for the log ({@code domainEvents-in-0})
	 * @param meters null counts in a registry of this instance only
	 */
	public ForeignTenantEvents(String consumer, String binding, @Nullable MeterRegistry meters) {
		this.binding = binding;
		this.refused = Counter.builder(METER)
			.description("Events refused and dead-lettered because their data names another tenant than their record")
			.tag("reason", "tenant_mismatch")
			.tag("consumer", consumer)
			.register((meters != null) ? meters : new SimpleMeterRegistry());
	}

	/**
	 * Refuses the event if {@code named}, the tenant its data names, is not the record's.
	 * @throws MalformedEventException if it is another tenant
	 */
	public void requireOwnTenant(DomainEvent event, @Nullable UUID named) {
		if (named != null && !named.equals(event.tenantId())) {
			this.refused.increment();
			log.warn("Refused event {} ({}) on binding {}: its data names another tenant than its record", event.id(),
					event.type(), this.binding);
			throw new MalformedEventException(
					"Event " + event.id() + " (" + event.type() + ") names another tenant than its record",
					DeadLetters.Reason.TENANT_MISMATCH);
		}
	}

	/**
	 * Refuses the event if its data's {@code tenantId} field is not the record's tenant:
	 * for a consumer that hands the data on to others to read.
	 * @throws MalformedEventException if it is another tenant, or the data is unreadable
	 */
	public void requireOwnTenant(DomainEvent event, JsonMapper json) {
		if (event.data() == null) {
			return;
		}
		JsonNode tenant;
		try {
			JsonNode data = json.readTree(event.data());
			tenant = (data != null) ? data.get("tenantId") : null;
		}
		catch (JacksonException ex) {
			throw new MalformedEventException(
					"Event " + event.id() + " (" + event.type() + ") has unreadable data: " + ex.getOriginalMessage());
		}
		if (tenant == null || tenant.isNull()) {
			return;
		}
		UUID named;
		try {
			named = tenant.isString() ? UUID.fromString(tenant.asString()) : null;
		}
		catch (IllegalArgumentException ex) {
			named = null;
		}
		if (named == null) {
			throw new MalformedEventException(
					"Event " + event.id() + " (" + event.type() + ") has an invalid tenantId");
		}
		requireOwnTenant(event, named);
	}

	/** Events refused so far through this instance's meter. */
	public long refused() {
		return (long) this.refused.count();
	}

}
