package io.tierflow.events;

import java.util.Arrays;
import java.util.function.Supplier;

import java.util.function.BiFunction;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.cloud.stream.binder.ExtendedConsumerProperties;
import org.springframework.cloud.stream.binder.kafka.ListenerContainerWithDlqAndRetryCustomizer;
import org.springframework.cloud.stream.binder.kafka.properties.KafkaConsumerProperties;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.FixedBackOff;

/**
 * How every Kafka binding's listener container runs.
 *
 * <p>
 * Record bindings: each record with the record's tenant bound
 * ({@link TenantRecordInterceptor}); retries and the dead-letter topic stay in the
 * binder.
 *
 * <p>
 * Batch bindings: the binder cannot retry part of a batch, and would dead-letter a whole
 * batch for one bad record. Here the container's error handler does it per record, with
 * the binding's own settings ({@code max-attempts}, back-off,
 * {@code retryable-exceptions}, {@code enable-dlq}/{@code dlq-name}): the listener throws
 * a {@link org.springframework.kafka.listener.BatchListenerFailedException} naming the
 * failed record, having applied every record before it; the offsets before it are
 * committed, it is retried with the back-off (at once to the dead-letter topic when its
 * exception is not retryable, e.g. a {@link MalformedEventException}), and the records
 * after it are polled again. The listener binds each record's tenant itself.
 */
class TierflowListenerContainers implements ListenerContainerWithDlqAndRetryCustomizer, DisposableBean {

	private final DefaultKafkaProducerFactory<byte[], byte[]> producers;

	private final KafkaTemplate<byte[], byte[]> deadLetters;

	private final Supplier<ErasedTenantEvents> erased;

	/**
	 * @param erased drops the records of erased tenants on every binding but the tenant
	 * lifecycle's (its erase requests must arrive); supplies null in tenant-service
	 */
	TierflowListenerContainers(DefaultKafkaProducerFactory<byte[], byte[]> producers,
			Supplier<ErasedTenantEvents> erased) {
		this.producers = producers;
		this.erased = erased;
		this.deadLetters = new KafkaTemplate<>(producers);
	}

	@Override
	public void destroy() {
		this.producers.destroy();
	}

	@Override
	public void configure(AbstractMessageListenerContainer<?, ?> container, String destinationName, String group,
			@Nullable BiFunction<ConsumerRecord<?, ?>, Exception, TopicPartition> dlqDestinationResolver,
			@Nullable BackOff backOff) {
		bindTenants(container, destinationName);
	}

	@Override
	public void configure(AbstractMessageListenerContainer<?, ?> container, String destinationName, String group,
			@Nullable BiFunction<ConsumerRecord<?, ?>, Exception, TopicPartition> dlqDestinationResolver,
			@Nullable BackOff backOff, ExtendedConsumerProperties<KafkaConsumerProperties> properties) {
		if (!properties.isBatchMode()) {
			bindTenants(container, destinationName);
			return;
		}
		BackOff retries = (backOff != null) ? backOff : new FixedBackOff(0, 0);
		DefaultErrorHandler handler;
		if (dlqDestinationResolver != null) {
			// The binder's resolver picks the source record's partition, which the
			// dead-letter topic may not have; the key (the tenant) picks one instead.
			handler = new DefaultErrorHandler(
					new DeadLetterPublishingRecoverer(this.deadLetters,
							(record, ex) -> new TopicPartition(dlqDestinationResolver.apply(record, ex).topic(), -1)),
					retries);
		}
		else {
			handler = new DefaultErrorHandler(retries);
		}
		properties.getRetryableExceptions().forEach((type, retryable) -> {
			if (!retryable && Exception.class.isAssignableFrom(type)) {
				handler.addNotRetryableExceptions(type.asSubclass(Exception.class));
			}
		});
		container.setCommonErrorHandler(handler);
	}

	private <K, V> void bindTenants(AbstractMessageListenerContainer<K, V> container, String destinations) {
		boolean lifecycle = destinations != null && Arrays.stream(destinations.split(","))
			.map(String::trim)
			.anyMatch((d) -> d.equals(Topics.TENANT) || d.equals(Topics.TENANT_REPLIES));
		container.setRecordInterceptor(new TenantRecordInterceptor<>(lifecycle ? null : this.erased.get()));
	}

}
