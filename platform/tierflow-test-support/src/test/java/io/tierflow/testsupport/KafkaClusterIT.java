package io.tierflow.testsupport;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three KRaft nodes as three processes: topics get three replicas and two in sync, a
 * killed node loses no acknowledged record, and it rejoins on its data.
 */
class KafkaClusterIT {

	@Test
	void survivesAKilledNodeWithoutLosingAcknowledgedRecords() throws Exception {
		Path dir = Files.createTempDirectory("tierflow-kafka-cluster-");
		try (KafkaCluster cluster = KafkaCluster.start(dir, freeBlock(6), 3)) {
			KafkaServer kafka = cluster.server();
			String topic = "tierflow-cluster-it-" + UUID.randomUUID();
			Set<String> acknowledged = new HashSet<>();
			try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.clientConfig(Map.of(
					ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
					ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
					StringSerializer.class, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class)))) {
				for (int i = 0; i < 100; i++) {
					producer.send(new ProducerRecord<>(topic, "k" + i, "before-" + i)).get(60, TimeUnit.SECONDS);
					acknowledged.add("before-" + i);
				}
				try (Admin admin = Admin.create(kafka.clientConfig())) {
					TopicDescription description = admin.describeTopics(List.of(topic))
						.allTopicNames()
						.get(30, TimeUnit.SECONDS)
						.get(topic);
					assertThat(description.partitions()).hasSize(3)
						.allSatisfy((p) -> assertThat(p.replicas()).hasSize(3));
					String minInSync = admin
						.describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
								org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic)))
						.all()
						.get(30, TimeUnit.SECONDS)
						.values()
						.iterator()
						.next()
						.get("min.insync.replicas")
						.value();
					assertThat(minInSync).isEqualTo("2");
				}
				cluster.kill(1);
				for (int i = 0; i < 100; i++) {
					producer.send(new ProducerRecord<>(topic, "k" + i, "during-" + i)).get(60, TimeUnit.SECONDS);
					acknowledged.add("during-" + i);
				}
				cluster.restart(1);
			}
			Set<String> read = new HashSet<>();
			try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(kafka.clientConfig(Map.of(
					ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
					"earliest", ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
					ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class)))) {
				consumer.subscribe(List.of(topic));
				await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
					consumer.poll(Duration.ofMillis(300)).forEach((r) -> read.add(r.value()));
					assertThat(read).hasSize(acknowledged.size());
				});
			}
			assertThat(read).isEqualTo(acknowledged);
		}
	}

	/**
	 * The first of {@code count} consecutive free ports, below the ephemeral range so no
	 * client connection takes one while the nodes restart.
	 */
	static int freeBlock(int count) {
		java.util.Random random = new java.util.Random();
		for (int attempt = 0; attempt < 50; attempt++) {
			int first = 20000 + random.nextInt(10000);
			boolean free = true;
			for (int port = first; port < first + count && free; port++) {
				try (ServerSocket socket = new ServerSocket()) {
					socket.setReuseAddress(true);
					socket.bind(new java.net.InetSocketAddress("127.0.0.1", port));
				}
				catch (java.io.IOException ex) {
					free = false;
				}
			}
			if (free) {
				return first;
			}
		}
		throw new IllegalStateException("No block of " + count + " free ports");
	}

}
