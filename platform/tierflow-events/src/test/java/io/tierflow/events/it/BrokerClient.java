package io.tierflow.events.it;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces and reads records on the test broker the way another service would: events in
 * CloudEvents binary mode (after {@code TestEvents}), records as they are, headers
 * included, so that dead letters can be inspected too.
 */
final class BrokerClient {

	private BrokerClient() {
	}

	/** A CloudEvent as another service would publish it about {@code tenantId}. */
	static CloudEventBuilder event(String id, String type, UUID tenantId, byte[] data) {
		CloudEventBuilder builder = CloudEventBuilder.v1()
			.withId(id)
			.withSource(URI.create("//tierflow/test"))
			.withType(type)
			.withTime(OffsetDateTime.now())
			.withDataContentType("application/json")
			.withData(data);
		return (tenantId != null) ? builder.withExtension("tenantid", tenantId.toString()) : builder;
	}

	/** Publishes an event in binary mode with the given key and waits for the broker. */
	static void publish(String topic, String key, CloudEvent event) {
		try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(TestKafka.get().clientConfig(),
				new StringSerializer(), new CloudEventSerializer())) {
			producer.send(new ProducerRecord<>(topic, key, event)).get(30, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			throw new IllegalStateException("Cannot publish to " + topic, ex);
		}
	}

	/** A consumer of a topic from its beginning, in a group of its own. */
	static Reader read(String topic) {
		return new Reader(topic);
	}

	/** The value of the last header with this name, or null. */
	static String header(ConsumerRecord<String, byte[]> record, String name) {
		Header header = record.headers().lastHeader(name);
		return (header != null) ? new String(header.value(), StandardCharsets.UTF_8) : null;
	}

	/** Decodes a record written in CloudEvents binary (or structured) mode. */
	static CloudEvent cloudEvent(ConsumerRecord<String, byte[]> record) {
		try (CloudEventDeserializer deserializer = new CloudEventDeserializer()) {
			return deserializer.deserialize(record.topic(), record.headers(), record.value());
		}
	}

	/** Accumulates the records of one topic, in the order each partition holds them. */
	static final class Reader implements AutoCloseable {

		private final KafkaConsumer<String, byte[]> consumer;

		private final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

		Reader(String topic) {
			this.consumer = new KafkaConsumer<>(
					TestKafka.get()
						.clientConfig(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
								ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")),
					new StringDeserializer(), new ByteArrayDeserializer());
			this.consumer.subscribe(List.of(topic));
		}

		/** Polls once more and returns every record seen so far. */
		synchronized List<ConsumerRecord<String, byte[]>> poll() {
			for (ConsumerRecord<String, byte[]> r : this.consumer.poll(Duration.ofMillis(200))) {
				this.seen.add(r);
			}
			return List.copyOf(this.seen);
		}

		/** The records seen so far whose CloudEvents id is {@code eventId}. */
		List<ConsumerRecord<String, byte[]>> withId(Object eventId) {
			return poll().stream().filter((r) -> String.valueOf(eventId).equals(header(r, "ce_id"))).toList();
		}

		/** The first record seen so far whose CloudEvents id is {@code eventId}. */
		Optional<ConsumerRecord<String, byte[]>> find(Object eventId) {
			return withId(eventId).stream().findFirst();
		}

		/** The records seen so far whose key is {@code tenantId}, in partition order. */
		List<ConsumerRecord<String, byte[]>> keyedBy(UUID tenantId) {
			return poll().stream().filter((r) -> tenantId.toString().equals(r.key())).toList();
		}

		@Override
		public synchronized void close() {
			this.consumer.close();
		}

	}

}
