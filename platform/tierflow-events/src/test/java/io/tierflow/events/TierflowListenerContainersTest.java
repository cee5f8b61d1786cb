package io.tierflow.events;

import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.cloud.stream.binder.ExtendedConsumerProperties;
import org.springframework.cloud.stream.binder.kafka.properties.KafkaConsumerProperties;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.FixedBackOff;

import static org.assertj.core.api.Assertions.assertThat;

class TierflowListenerContainersTest {

	private final DefaultKafkaProducerFactory<byte[], byte[]> producers = new DefaultKafkaProducerFactory<>(
			Map.of("bootstrap.servers", "localhost:1"));

	private final TierflowListenerContainers customizer = new TierflowListenerContainers(this.producers, () -> null,
			new DeadLetters("test", null));

	@AfterEach
	void close() {
		this.customizer.destroy();
	}

	@Test
	void batchBindingsRetryAndDeadLetterRecordByRecordWithTheBindingsSettings() {
		ConcurrentMessageListenerContainer<byte[], byte[]> container = container();
		ExtendedConsumerProperties<KafkaConsumerProperties> binding = new ExtendedConsumerProperties<>(
				new KafkaConsumerProperties());
		binding.setBatchMode(true);
		binding.setRetryableExceptions(Map.of(MalformedEventException.class, false));

		this.customizer.configure(container, "tierflow.simulation", "billing-usage",
				(record, ex) -> new TopicPartition("tierflow.dlq.billing", record.partition()), new FixedBackOff(0, 3),
				binding);

		assertThat(container.getCommonErrorHandler()).isInstanceOf(DefaultErrorHandler.class);
		DefaultErrorHandler handler = (DefaultErrorHandler) container.getCommonErrorHandler();
		assertThat(handler.removeClassification(MalformedEventException.class)).isFalse();
		assertThat(handler.removeClassification(IllegalStateException.class)).isNull();
	}

	@Test
	void recordBindingsBindTheRecordsTenantAndLeaveRetriesToTheBinder() {
		ConcurrentMessageListenerContainer<byte[], byte[]> container = container();
		ExtendedConsumerProperties<KafkaConsumerProperties> binding = new ExtendedConsumerProperties<>(
				new KafkaConsumerProperties());

		this.customizer.configure(container, "tierflow.tenant", "billing-service",
				(ConsumerRecord<?, ?> record, Exception ex) -> new TopicPartition("tierflow.dlq.billing", 0),
				new FixedBackOff(0, 3), binding);

		assertThat(container.getCommonErrorHandler()).isNull();
		assertThat(this.customizer.retryAndDlqInBinding("tierflow.tenant", "billing-service")).isTrue();
	}

	private static ConcurrentMessageListenerContainer<byte[], byte[]> container() {
		return new ConcurrentMessageListenerContainer<>(
				new DefaultKafkaConsumerFactory<>(Map.of("bootstrap.servers", "localhost:1")),
				new ContainerProperties("t"));
	}

}
