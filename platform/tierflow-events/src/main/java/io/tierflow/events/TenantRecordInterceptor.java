package io.tierflow.events;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import io.tierflow.events.tracing.EventTraces;
import io.tierflow.tenancy.context.TenantContext;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import org.springframework.kafka.listener.RecordInterceptor;

/**
 * Restores the record's tenant (CloudEvents extension {@code tenantid}) on the listener
 * thread for the whole processing of the record — parsing, effect, retries, error
 * handling and their logs — and removes it after the record, so the next record never
 * starts with the previous tenant. The record is handled in a span continuing the trace
 * its {@value EventTraces#TRACEPARENT} header names ({@link EventTraces}), tagged with
 * the tenant and current for the same time, so the logs of the record carry its trace id
 * and what it writes to an outbox stays in the trace.
 */
public class TenantRecordInterceptor<K, V> implements RecordInterceptor<K, V> {

	private static final ThreadLocal<TenantContext.Scope> SCOPE = new ThreadLocal<>();

	private static final ThreadLocal<EventTraces.Consuming> SPAN = new ThreadLocal<>();

	private final ErasedTenantEvents erased;

	private final EventTraces traces;

	/** Binds tenants, and passes every record on. */
	public TenantRecordInterceptor() {
		this(null);
	}

	/**
	 * Binds tenants, and skips (acknowledged, counted) the records of tenants erased
	 * here.
	 * @param erased null to pass every record on
	 */
	public TenantRecordInterceptor(ErasedTenantEvents erased) {
		this(erased, EventTraces.NONE);
	}

	/**
	 * Binds tenants, continues the records' traces, and skips the records of tenants
	 * erased here.
	 * @param erased null to pass every record on
	 */
	public TenantRecordInterceptor(ErasedTenantEvents erased, EventTraces traces) {
		this.erased = erased;
		this.traces = traces;
	}

	@Override
	public ConsumerRecord<K, V> intercept(ConsumerRecord<K, V> record, Consumer<K, V> consumer) {
		release();
		Header header = record.headers().lastHeader(DomainEvent.TENANT_HEADER);
		UUID tenant = null;
		if (header != null && header.value() != null) {
			try {
				tenant = UUID.fromString(new String(header.value(), StandardCharsets.UTF_8));
			}
			catch (IllegalArgumentException ex) {
				// Not a tenant id: the consumer rejects the event as malformed, with no
				// tenant bound.
			}
		}
		if (tenant != null) {
			SCOPE.set(TenantContext.open(tenant));
		}
		SPAN.set(this.traces.consuming(record.headers(), record.topic(), headerValue(record, "ce_type"), tenant));
		if (tenant != null && this.erased != null && this.erased.drop(tenant, describe(record))) {
			release();
			return null; // skipped; its offset is committed like a processed one
		}
		return record;
	}

	@Override
	public void failure(ConsumerRecord<K, V> record, Exception exception, Consumer<K, V> consumer) {
		EventTraces.Consuming span = SPAN.get();
		if (span != null) {
			span.error(exception);
		}
	}

	private static String headerValue(ConsumerRecord<?, ?> record, String name) {
		Header header = record.headers().lastHeader(name);
		return (header != null && header.value() != null) ? new String(header.value(), StandardCharsets.UTF_8) : null;
	}

	@Override
	public void afterRecord(ConsumerRecord<K, V> record, Consumer<K, V> consumer) {
		release();
	}

	private static String describe(ConsumerRecord<?, ?> record) {
		Header id = record.headers().lastHeader("ce_id");
		Header type = record.headers().lastHeader("ce_type");
		return ((type != null) ? new String(type.value(), StandardCharsets.UTF_8) : "event") + " "
				+ ((id != null) ? new String(id.value(), StandardCharsets.UTF_8) : "?") + " from " + record.topic();
	}

	private static void release() {
		// The span first: it was opened inside the tenant's binding.
		EventTraces.Consuming span = SPAN.get();
		if (span != null) {
			SPAN.remove();
			span.close();
		}
		TenantContext.Scope scope = SCOPE.get();
		if (scope != null) {
			SCOPE.remove();
			scope.close();
		}
	}

}
