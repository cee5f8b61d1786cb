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

	@Override
	public ConsumerRecord<K, V> intercept(ConsumerRecord<K, V> record, Consumer<K, V> consumer) {
		release();
		Header header = record.headers().lastHeader(DomainEvent.TENANT_HEADER);
		if (header != null && header.value() != null) {
			try {
				SCOPE.set(TenantContext.open(UUID.fromString(new String(header.value(), StandardCharsets.UTF_8))));
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

	private static void release() {
		TenantContext.Scope scope = SCOPE.get();
		if (scope != null) {
			SCOPE.remove();
			scope.close();
		}
	}

}
