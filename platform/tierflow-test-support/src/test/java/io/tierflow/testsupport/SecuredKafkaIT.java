package io.tierflow.testsupport;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The secured test broker: a client signed in with SCRAM produces and consumes; a client
 * without credentials, or with a wrong password, gets nothing through.
 */
class SecuredKafkaIT {

	private static KafkaServer kafka;

	@BeforeAll
	static void start() {
		kafka = TestKafka.startSecured();
	}

	@Test
	void aSignedInClientProducesAndConsumes() throws Exception {
		String topic = "secured-" + UUID.randomUUID();
		Map<String, Object> producerConfig = kafka.clientConfig();
		producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
		producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
			producer.send(new ProducerRecord<>(topic, "k", "hello")).get(60, TimeUnit.SECONDS);
		}
		Map<String, Object> consumerConfig = kafka.clientConfig();
		consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "secured-" + UUID.randomUUID());
		consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
		consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
		try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
			consumer.subscribe(List.of(topic));
			List<ConsumerRecord<String, String>> received = new java.util.ArrayList<>();
			await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
				consumer.poll(Duration.ofMillis(200)).forEach(received::add);
				assertThat(received).extracting(ConsumerRecord::value).containsExactly("hello");
			});
		}
	}

	@Test
	void aClientWithoutCredentialsIsRefused() {
		Map<String, Object> config = new HashMap<>();
		config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
		assertRefused(config);
	}

	@Test
	void aClientWithAWrongPasswordIsRefused() {
		Map<String, Object> config = kafka.clientConfig();
		config.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
				+ TestKafka.CLIENT_USER + "\" password=\"guess\";");
		assertRefused(config);
	}

	private static void assertRefused(Map<String, Object> config) {
		config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
		config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
		config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000);
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
			assertThatThrownBy(() -> producer.send(new ProducerRecord<>("secured-" + UUID.randomUUID(), "k", "v"))
				.get(30, TimeUnit.SECONDS))
				.isInstanceOfAny(ExecutionException.class, org.apache.kafka.common.KafkaException.class);
		}
	}

}
