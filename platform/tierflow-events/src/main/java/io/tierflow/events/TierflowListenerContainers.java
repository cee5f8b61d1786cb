package io.tierflow.events;

import java.util.Arrays;
import java.util.function.Supplier;

import java.util.function.BiFunction;

import io.tierflow.events.tracing.EventTraces;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.cloud.stream.binder.ExtendedConsumerProperties;
import org.springframework.cloud.stream.binder.kafka.ListenerContainerWithDlqAndRetryCustomizer;
import org.springframework.cloud.stream.binder.kafka.properties.KafkaConsumerProperties;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.messaging.SubscribableChannel;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessagingException;
import org.springframework.messaging.support.ErrorMessage;
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
 *
 * <p>
 * Either way, every record dead-lettered is counted ({@link DeadLetters}).
 */
class TierflowListenerContainers
		implements ListenerContainerWithDlqAndRetryCustomizer, DisposableBean, ApplicationContextAware {

	private final DefaultKafkaProducerFactory<byte[], byte[]> producers;

	private final KafkaTemplate<byte[], byte[]> deadLetters;

	private final Supplier<ErasedTenantEvents> erased;

	private final DeadLetters counted;

	private ApplicationContext context;

	/**
	 * @param erased drops the records of erased tenants on every binding but the tenant
	 * lifecycle's (its erase requests must arrive); supplies null in tenant-service
	 * @param counted counts every event dead-lettered, on either path
	 */
	TierflowListenerContainers(DefaultKafkaProducerFactory<byte[], byte[]> producers,
			Supplier<ErasedTenantEvents> erased, DeadLetters counted) {
		this.producers = producers;
		this.erased = erased;
		this.counted = counted;
		this.deadLetters = new KafkaTemplate<>(producers);
	}

	@Override
	public void setApplicationContext(ApplicationContext context) {
		this.context = context;
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
			if (properties.getExtension().isEnableDlq()) {
				countBinderDeadLetters(properties.getBindingName(), destinationName);
			}
			return;
		}
		BackOff retries = (backOff != null) ? backOff : new FixedBackOff(0, 0);
		DefaultErrorHandler handler;
		if (dlqDestinationResolver != null) {
			// The binder's resolver picks the source record's partition, which the
			// dead-letter topic may not have; the key (the tenant) picks one instead.
			DeadLetterPublishingRecoverer publisher = new DeadLetterPublishingRecoverer(this.deadLetters,
					(record, ex) -> new TopicPartition(dlqDestinationResolver.apply(record, ex).topic(), -1));
			handler = new DefaultErrorHandler((record, ex) -> {
				publisher.accept(record, ex);
				this.counted.count(record.topic(), ex);
			}, retries);
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

	/**
	 * A record binding dead-letters in the binder: its error channel receives each record
	 * once retries are over, and its dead-letter handler, subscribed first, publishes it.
	 * A handler subscribed after it counts the record once it was published.
	 */
	private void countBinderDeadLetters(String binding, String destinations) {
		if (this.context == null || binding == null) {
			return;
		}
		String suffix = "." + binding + ".errors";
		this.context.getBeansOfType(SubscribableChannel.class, false, false).forEach((name, channel) -> {
			if (name.endsWith(suffix)) {
				channel.subscribe((message) -> this.counted.count(topicOf(message, destinations),
						(message.getPayload() instanceof Throwable failure) ? failure : null));
			}
		});
	}

	/** The topic of the failed record, from the error message. */
	private static String topicOf(Message<?> message, String destinations) {
		if (message.getHeaders().get(KafkaHeaders.RAW_DATA) instanceof ConsumerRecord<?, ?> record) {
			return record.topic();
		}
		if (message instanceof ErrorMessage error && error.getOriginalMessage() != null
				&& error.getOriginalMessage().getHeaders().get(KafkaHeaders.RECEIVED_TOPIC) instanceof String topic) {
			return topic;
		}
		if (message.getPayload() instanceof MessagingException failure && failure.getFailedMessage() != null
				&& failure.getFailedMessage().getHeaders().get(KafkaHeaders.RECEIVED_TOPIC) instanceof String topic) {
			return topic;
		}
		return (destinations != null && !destinations.contains(",")) ? destinations.trim() : "unknown";
	}

	private <K, V> void bindTenants(AbstractMessageListenerContainer<K, V> container, String destinations) {
		boolean lifecycle = destinations != null && Arrays.stream(destinations.split(","))
			.map(String::trim)
			.anyMatch((d) -> d.equals(Topics.TENANT) || d.equals(Topics.TENANT_REPLIES));
		container.setRecordInterceptor(new TenantRecordInterceptor<>(lifecycle ? null : this.erased.get(), traces()));
	}

	/** Continues each record's trace while it is handled, when the service traces. */
	private EventTraces traces() {
		return (this.context != null)
				? this.context.getBeanProvider(EventTraces.class).getIfAvailable(() -> EventTraces.NONE)
				: EventTraces.NONE;
	}

}
