package io.tierflow.events.outbox;

import java.util.UUID;
import java.util.function.Supplier;

import com.github.f4b6a3.uuid.UuidCreator;
import io.tierflow.events.tracing.EventTraces;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Appends an event to the outbox of the database the current transaction writes to, so
 * the event commits or rolls back with the state that causes it: no dual write. After
 * commit the relay is woken for that outbox, which keeps end-to-end latency to a few
 * milliseconds. The row keeps the trace context of the span that wrote it
 * ({@link EventTraces}), so the event's consumers continue the writer's trace.
 */
public class Outbox {

	private final JdbcClient jdbc;

	private final JsonMapper json;

	private final OutboxRelay relay;

	private final Supplier<OutboxLocation> location;

	private final EventTraces traces;

	/**
	 * An outbox whose rows carry no trace context.
	 * @param jdbc client on the transaction's DataSource
	 * @param location the outbox the current transaction writes to
	 */
	public Outbox(JdbcClient jdbc, JsonMapper json, OutboxRelay relay, Supplier<OutboxLocation> location) {
		this(jdbc, json, relay, location, EventTraces.NONE);
	}

	/**
	 * @param jdbc client on the transaction's DataSource
	 * @param location the outbox the current transaction writes to
	 * @param traces where the current span's context comes from
	 */
	public Outbox(JdbcClient jdbc, JsonMapper json, OutboxRelay relay, Supplier<OutboxLocation> location,
			EventTraces traces) {
		this.jdbc = jdbc;
		this.json = json;
		this.relay = relay;
		this.location = location;
		this.traces = traces;
	}

	/**
	 * Appends an event; must be called inside the transaction that changes the state.
	 * @param topic Kafka topic ({@link io.tierflow.events.Topics})
	 * @param type CloudEvents type ({@link io.tierflow.events.EventTypes})
	 * @param tenantId the tenant the event is about; the Kafka key
	 * @param subject the CloudEvents subject (the resource id), may be null
	 * @param data the payload, serialized as JSON
	 * @return the event id
	 */
	public UUID append(String topic, String type, UUID tenantId, String subject, Object data) {
		if (!TransactionSynchronizationManager.isActualTransactionActive()) {
			throw new IllegalStateException("Outbox.append must run inside the transaction that changes the state");
		}
		UUID id = UuidCreator.getTimeOrderedEpoch();
		this.jdbc
			.sql("insert into outbox (tenant_id, id, topic, type, subject, data, traceparent)"
					+ " values (?, ?, ?, ?, ?, ?::jsonb, ?)")
			.params(tenantId, id, topic, type, subject, this.json.writeValueAsString(data), this.traces.current())
			.update();
		OutboxLocation written = this.location.get();
		TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
			@Override
			public void afterCommit() {
				Outbox.this.relay.wake(written);
			}
		});
		return id;
	}

}
