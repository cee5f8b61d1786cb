package io.tierflow.events;

import java.util.Locale;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.messaging.converter.MessageConversionException;

/**
 * Counts the events a service dead-letters, as {@value #METER} (Prometheus
 * {@code tierflow_events_dead_lettered_total}), tagged by service, the topic the event
 * came from and a {@link Reason} — never by tenant or event. Every dead-letter path of
 * the event plane counts here: the binder's for record bindings and the container's for
 * batch bindings ({@link TierflowListenerContainers}).
 */
public class DeadLetters {

	/** Events dead-lettered. */
	public static final String METER = "tierflow.events.dead_lettered";

	/** Why an event was dead-lettered: a small fixed set, a tag's values. */
	public enum Reason {

		/**
		 * It can never be processed: unreadable data, no or an invalid tenant, an unknown
		 * shape.
		 */
		MALFORMED,

		/**
		 * Its data names another tenant than its record ({@link ForeignTenantEvents}).
		 */
		TENANT_MISMATCH,

		/** Its effect kept failing through every attempt the binding allows. */
		RETRIES_EXHAUSTED;

		/** The tag value: the name in lower case. */
		public String tag() {
			return name().toLowerCase(Locale.ROOT);
		}

		/** The reason of a failure, from the first cause that tells. */
		public static Reason of(@Nullable Throwable failure) {
			for (Throwable t = failure; t != null; t = (t.getCause() != t) ? t.getCause() : null) {
				if (t instanceof MalformedEventException malformed) {
					return malformed.reason();
				}
				if (t instanceof MessageConversionException || t instanceof DeserializationException) {
					return MALFORMED;
				}
			}
			return RETRIES_EXHAUSTED;
		}

	}

	private final String service;

	private final MeterRegistry meters;

	/**
	 * @param service the service's name, a tag
	 * @param meters null counts in a registry of this instance only
	 */
	public DeadLetters(String service, @Nullable MeterRegistry meters) {
		this.service = service;
		this.meters = (meters != null) ? meters : new SimpleMeterRegistry();
	}

	/** Counts one event of {@code topic} dead-lettered after {@code failure}. */
	public void count(String topic, @Nullable Throwable failure) {
		counter(topic, Reason.of(failure)).increment();
	}

	/** The counter of a topic and reason; registered on first use. */
	public Counter counter(String topic, Reason reason) {
		return Counter.builder(METER)
			.description("Events dead-lettered, by the topic they came from and why")
			.tag("service", this.service)
			.tag("topic", topic)
			.tag("reason", reason.tag())
			.register(this.meters);
	}

}
