package io.tierflow.events.it;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import com.github.f4b6a3.uuid.UuidCreator;
import io.tierflow.events.DomainEvent;
import io.tierflow.events.MalformedEventException;
import io.tierflow.events.inbox.EventInbox;
import io.tierflow.events.outbox.Outbox;
import io.tierflow.events.tracing.EventTraces;
import io.tierflow.tenancy.context.TenantContext;
import org.slf4j.MDC;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * A tenant-data application as services write them: a transactional command that changes
 * state and appends an event to the outbox, and a functional consumer that applies the
 * event's effect once through the inbox.
 */
@SpringBootApplication
class EventsTestApplication {

	static final String WIDGET_CREATED = "tierflow.test.widget.created.v1";

	/** Data of {@link #WIDGET_CREATED}. */
	record WidgetCreated(UUID widgetId, String name, int sequence) {
	}

	/** What a command wrote: the widget and the event that announces it. */
	record Created(UUID widgetId, UUID eventId) {
	}

	/** Thrown after the event was appended: the transaction rolls back. */
	static class Abandoned extends RuntimeException {

		final Created created;

		Abandoned(Created created) {
			super("Abandoned widget " + created.widgetId());
			this.created = created;
		}

	}

	/** The command side: widget state and its event commit or roll back together. */
	@Service
	static class WidgetCatalog {

		private final JdbcClient jdbc;

		private final Outbox outbox;

		private final String topic;

		WidgetCatalog(JdbcClient jdbc, Outbox outbox, @Value("${tierflow.test.topic}") String topic) {
			this.jdbc = jdbc;
			this.outbox = outbox;
			this.topic = topic;
		}

		@Transactional
		Created create(String name, int sequence) {
			return insert(name, sequence);
		}

		@Transactional
		Created createThenFail(String name) {
			throw new Abandoned(insert(name, 0));
		}

		@Transactional(readOnly = true)
		List<String> widgets() {
			return this.jdbc.sql("select name from widget order by id").query(String.class).list();
		}

		/** What the consumer counted in the current tenant's store. */
		@Transactional(readOnly = true)
		long tallied() {
			return this.jdbc.sql("select coalesce(sum(count), 0) from widget_tally").query(Long.class).single();
		}

		@Transactional(readOnly = true)
		boolean inOutbox(UUID eventId) {
			return this.jdbc.sql("select count(*) from outbox where id = ?")
				.param(eventId)
				.query(Integer.class)
				.single() > 0;
		}

		@Transactional(readOnly = true)
		boolean inInbox(String eventId) {
			return this.jdbc.sql("select count(*) from inbox where event_id = ?")
				.param(eventId)
				.query(Integer.class)
				.single() > 0;
		}

		private Created insert(String name, int sequence) {
			UUID tenant = TenantContext.require();
			UUID id = UuidCreator.getTimeOrderedEpoch();
			this.jdbc.sql("insert into widget (tenant_id, id, name, sequence) values (?, ?, ?, ?)")
				.params(tenant, id, name, sequence)
				.update();
			UUID eventId = this.outbox.append(this.topic, WIDGET_CREATED, tenant, id.toString(),
					new WidgetCreated(id, name, sequence));
			return new Created(id, eventId);
		}

	}

	/**
	 * The consumer side, bound as the function {@code widgetTally}: counts created
	 * widgets in the tenant's store, once per event. It records every delivery, with what
	 * was bound to the thread before, during and after the effect, for the tests to
	 * inspect. A widget named {@value #EXPLODE} fails every time, one named
	 * {@value #FLAKY} fails the first time.
	 */
	@Component("widgetTally")
	static class WidgetTally implements Consumer<Message<byte[]>> {

		static final String CONSUMER = "widget-tally";

		static final String EXPLODE = "explode";

		static final String FLAKY = "flaky";

		private final EventInbox inbox;

		private final JdbcClient jdbc;

		private final JsonMapper json;

		private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

		private final Set<String> failedOnce = ConcurrentHashMap.newKeySet();

		private final EventTraces traces;

		private final Map<String, Traced> traced = new ConcurrentHashMap<>();

		WidgetTally(EventInbox inbox, JdbcClient jdbc, JsonMapper json, EventTraces traces) {
			this.inbox = inbox;
			this.jdbc = jdbc;
			this.json = json;
			this.traces = traces;
		}

		/** The trace the effect of an event ran in, as an outbox and the logs see it. */
		Traced traced(Object eventId) {
			return this.traced.get(String.valueOf(eventId));
		}

		@Override
		public void accept(Message<byte[]> message) {
			Binding before = Binding.current();
			AtomicReference<Binding> during = new AtomicReference<>();
			Outcome outcome = Outcome.FAILED;
			try {
				DomainEvent event = DomainEvent.from(message);
				WidgetCreated widget = read(event);
				boolean applied = this.inbox.handleOnce(CONSUMER, event, () -> {
					during.set(Binding.current());
					this.traced.put(event.id(), new Traced(this.traces.current(), MDC.get("traceId")));
					if (EXPLODE.equals(widget.name())
							|| (FLAKY.equals(widget.name()) && this.failedOnce.add(event.id()))) {
						throw new IllegalStateException("Effect of " + event.id() + " failed");
					}
					this.jdbc
						.sql("insert into widget_tally (tenant_id, name, count) values (?, 'created', 1) "
								+ "on conflict (tenant_id, name) do update set count = widget_tally.count + 1")
						.param(TenantContext.require())
						.update();
				});
				outcome = applied ? Outcome.APPLIED : Outcome.DUPLICATE;
			}
			finally {
				this.deliveries.add(new Delivery(eventId(message), before, during.get(), Binding.current(), outcome));
			}
		}

		List<Delivery> deliveriesOf(Object eventId) {
			return this.deliveries.stream().filter((d) -> String.valueOf(eventId).equals(d.eventId())).toList();
		}

		/**
		 * Ids of the events applied for {@code tenant}, in the order they were applied.
		 */
		List<String> appliedFor(UUID tenant) {
			return this.deliveries.stream()
				.filter((d) -> d.outcome() == Outcome.APPLIED && tenant.equals(d.during().tenant()))
				.map(Delivery::eventId)
				.toList();
		}

		private WidgetCreated read(DomainEvent event) {
			try {
				return this.json.readValue(event.data(), WidgetCreated.class);
			}
			catch (JacksonException ex) {
				throw new MalformedEventException(
						"Event " + event.id() + " has unreadable data: " + ex.getOriginalMessage());
			}
		}

		private static String eventId(Message<byte[]> message) {
			Object id = message.getHeaders().get("ce_id");
			return (id instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(id);
		}

	}

	enum Outcome {

		APPLIED, DUPLICATE, FAILED

	}

	/**
	 * The trace context current in a consumer's effect: what an outbox row would store,
	 * and the trace id in the MDC, which the logs show.
	 */
	record Traced(String traceparent, String mdcTraceId) {
	}

	/** One delivery of an event to the consumer. */
	record Delivery(String eventId, Binding before, Binding during, Binding after, Outcome outcome) {
	}

	/** What the current thread carries: the bound tenant and the tenant in the MDC. */
	record Binding(UUID tenant, String mdcTenant) {

		static final Binding NONE = new Binding(null, null);

		static Binding current() {
			return new Binding(TenantContext.current().orElse(null), MDC.get(TenantContext.MDC_KEY));
		}

		static Binding of(UUID tenant) {
			return new Binding(tenant, tenant.toString());
		}

	}

}
