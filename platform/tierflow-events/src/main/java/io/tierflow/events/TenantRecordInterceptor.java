package io.tierflow.events;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import io.tierflow.tenancy.context.TenantContext;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import org.springframework.kafka.listener.RecordInterceptor;

/**
 * Restores the record's tenant (CloudEvents extension {@code tenantid}) on the listener
 * thread for the whole processing of the record — parsing, effect, retries, error
 * handling and their logs — and removes it after the record, so the next record never
 * starts with the previous tenant.
 */
public class TenantRecordInterceptor<K, V> implements RecordInterceptor<K, V> {

	private static final ThreadLocal<TenantContext.Scope> SCOPE = new ThreadLocal<>();

	private final ErasedTenantEvents erased;

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
		this.erased = erased;
	}

	@Override
	public ConsumerRecord<K, V> intercept(ConsumerRecord<K, V> record, Consumer<K, V> consumer) {
		release();
		Header header = record.headers().lastHeader(DomainEvent.TENANT_HEADER);
		if (header != null && header.value() != null) {
			try {
				UUID tenant = UUID.fromString(new String(header.value(), StandardCharsets.UTF_8));
				SCOPE.set(TenantContext.open(tenant));
				if (this.erased != null && this.erased.drop(tenant, describe(record))) {
					release();
					return null; // skipped; its offset is committed like a processed one
				}
			}
			catch (IllegalArgumentException ex) {
				// Not a tenant id: the consumer rejects the event as malformed, with no
				// tenant bound.
			}
		}
		return record;
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
		TenantContext.Scope scope = SCOPE.get();
		if (scope != null) {
			SCOPE.remove();
			scope.close();
		}
	}

}
