package io.tierflow.events.tracing;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Carries a trace across the outbox, which Kafka's own instrumentation cannot see
 * through: the W3C {@value #TRACEPARENT} of the span that writes an event is stored with
 * its outbox row, the relay publishes the row in a child span whose context goes into the
 * record's {@value #TRACEPARENT} header, and the consumer handles the record in a child
 * span of that, tagged with the tenant. What the consumer writes to its own outbox then
 * continues the same trace. Built on Micrometer Tracing's {@link Tracer} and
 * {@link Propagator}; with no tracer ({@link #NONE}) nothing is stored, sent or started.
 */
public final class EventTraces {

	/** Outbox column and Kafka header carrying the W3C trace context. */
	public static final String TRACEPARENT = "traceparent";

	/** Span tag naming the tenant a consumed event is about. */
	public static final String TENANT_TAG = "tierflow.tenant";

	/** No tracing: nothing stored, nothing propagated. */
	public static final EventTraces NONE = new EventTraces(Tracer.NOOP, Propagator.NOOP);

	private static final Propagator.Getter<Headers> HEADER_GETTER = (headers, key) -> {
		Header header = headers.lastHeader(key);
		return (header != null && header.value() != null) ? new String(header.value(), StandardCharsets.UTF_8) : null;
	};

	private static final Propagator.Setter<Headers> HEADER_SETTER = (headers, key, value) -> {
		if (headers != null) {
			headers.remove(key);
			headers.add(key, value.getBytes(StandardCharsets.UTF_8));
		}
	};

	private final Tracer tracer;

	private final Propagator propagator;

	public EventTraces(Tracer tracer, Propagator propagator) {
		this.tracer = tracer;
		this.propagator = propagator;
	}

	/**
	 * The {@value #TRACEPARENT} of the span current on this thread, to store with an
	 * outbox row; null when there is none.
	 */
	public String current() {
		TraceContext context = this.tracer.currentTraceContext().context();
		if (context == null) {
			return null;
		}
		Map<String, String> carrier = new HashMap<>();
		this.propagator.inject(context, carrier, Map::put);
		return carrier.get(TRACEPARENT);
	}

	/**
	 * Starts the span that publishes an outbox row, a child of the row's stored context,
	 * and writes its context into the record's headers; the caller ends it once the
	 * broker answered. A row stored without a context gets no span and no header.
	 * @param traceparent the row's stored context, may be null
	 * @return the span, {@link Span#NOOP} for a row without context
	 */
	public Span publishing(String traceparent, String topic, String type, Headers headers) {
		if (traceparent == null || traceparent.isBlank()) {
			return Span.NOOP;
		}
		Span span = this.propagator.extract(Map.of(TRACEPARENT, traceparent), Map::get)
			.kind(Span.Kind.PRODUCER)
			.name("publish " + type)
			.remoteServiceName("kafka")
			.tag("messaging.destination.name", topic)
			.start();
		this.propagator.inject(span.context(), headers, HEADER_SETTER);
		return span;
	}

	/**
	 * Starts the span that handles a consumed record — a child of the record's
	 * {@value #TRACEPARENT} header, or a new trace without one — and makes it current on
	 * this thread until the returned scope is closed, which also ends it.
	 * @param tenant the record's tenant, may be null
	 */
	public Consuming consuming(Headers headers, String topic, String type, UUID tenant) {
		Span.Builder builder = this.propagator.extract(headers, HEADER_GETTER)
			.kind(Span.Kind.CONSUMER)
			.name("consume " + ((type != null) ? type : topic))
			.remoteServiceName("kafka")
			.tag("messaging.destination.name", topic);
		if (tenant != null) {
			builder.tag(TENANT_TAG, tenant.toString());
		}
		Span span = builder.start();
		Tracer.SpanInScope scope = this.tracer.withSpan(span);
		return new Consuming(span, scope);
	}

	/** A consumed record's span, current on the consumer's thread until closed. */
	public static final class Consuming implements AutoCloseable {

		private final Span span;

		private final Tracer.SpanInScope scope;

		Consuming(Span span, Tracer.SpanInScope scope) {
			this.span = span;
			this.scope = scope;
		}

		/** Marks the span failed; the record's handling threw {@code error}. */
		public void error(Throwable error) {
			this.span.error(error);
		}

		/** Leaves the span's scope and ends it. */
		@Override
		public void close() {
			this.scope.close();
			this.span.end();
		}

	}

}
