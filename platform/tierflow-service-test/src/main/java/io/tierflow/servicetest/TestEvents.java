package io.tierflow.servicetest;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import io.tierflow.testsupport.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.json.JsonMapper;

/**
 * Produces and reads CloudEvents on the test broker the way another service would,
 * through the CloudEvents Kafka binding.
 */
public final class TestEvents {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private TestEvents() {
	}

	/** Publishes an event with the given id (reuse an id to test redelivery). */
	public static void publish(String topic, String type, UUID tenantId, String id, Object data) {
		publishRaw(topic, tenantId,
				CloudEventBuilder.v1()
					.withId(id)
					.withSource(URI.create("//tierflow/test"))
					.withType(type)
					.withTime(OffsetDateTime.now())
					.withExtension("tenantid", tenantId.toString())
					.withDataContentType("application/json")
					.withData(JSON.writeValueAsString(data).getBytes(StandardCharsets.UTF_8))
					.build());
	}

	public static void publishRaw(String topic, UUID key, CloudEvent event) {
		try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(TestKafka.get().clientConfig(),
				new StringSerializer(), new CloudEventSerializer())) {
			producer.send(new ProducerRecord<>(topic, key.toString(), event)).get(30, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			throw new IllegalStateException("Cannot publish to " + topic, ex);
		}
	}

	/** A consumer of a topic from its beginning, in a group of its own. */
	public static Reader read(String topic) {
		return new Reader(topic);
	}

	/** Accumulates the events of one topic. */
	public static final class Reader implements AutoCloseable {

		private final KafkaConsumer<String, CloudEvent> consumer;

		private final List<CloudEvent> seen = new ArrayList<>();

		Reader(String topic) {
			this.consumer = new KafkaConsumer<>(
					TestKafka.get()
						.clientConfig(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
								ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")),
					new StringDeserializer(), new CloudEventDeserializer());
			this.consumer.subscribe(List.of(topic));
		}

		/** Polls once more and returns everything seen so far. */
		public synchronized List<CloudEvent> poll() {
			for (ConsumerRecord<String, CloudEvent> r : this.consumer.poll(Duration.ofMillis(200))) {
				this.seen.add(r.value());
			}
			return List.copyOf(this.seen);
		}

		/** Data of the events seen so far with this type and tenant, as JSON trees. */
		public List<tools.jackson.databind.JsonNode> data(String type, UUID tenantId) {
			return poll().stream()
				.filter((e) -> e.getType().equals(type)
						&& tenantId.toString().equals(String.valueOf(e.getExtension("tenantid"))))
				.map((e) -> JSON.readTree(e.getData().toBytes()))
				.toList();
		}

		@Override
		public synchronized void close() {
			this.consumer.close();
		}

	}

}
