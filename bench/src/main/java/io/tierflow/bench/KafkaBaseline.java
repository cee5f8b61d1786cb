package io.tierflow.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The bare Kafka path the billing phases are compared with: a plain consumer in this JVM
 * (no group, every partition of a bench-only topic from its start) that notes when it
 * first saw each event id ({@code ce_id}) and does nothing else.
 */
final class KafkaBaseline implements AutoCloseable {

	private final KafkaConsumer<String, byte[]> consumer;

	private final Thread thread;

	private final AtomicLong records = new AtomicLong();

	/** Written by the consumer thread only; read after close(). */
	private final Map<String, Long> firstSeenNanos = new HashMap<>();

	private volatile boolean running = true;

	private volatile long lastNanos;

	private volatile RuntimeException failure;

	KafkaBaseline(String bootstrapServers, String topic) {
		this.consumer = new KafkaConsumer<>(
				Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ConsumerConfig.CLIENT_ID_CONFIG,
						"bench-usage-baseline", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
				new StringDeserializer(), new ByteArrayDeserializer());
		List<TopicPartition> partitions = this.consumer.partitionsFor(topic)
			.stream()
			.map((p) -> new TopicPartition(topic, p.partition()))
			.toList();
		this.consumer.assign(partitions);
		this.consumer.seekToBeginning(partitions);
		this.thread = new Thread(this::consume, "bench-kafka-baseline");
		this.thread.start();
	}

	private void consume() {
		try {
			while (this.running) {
				ConsumerRecords<String, byte[]> polled = this.consumer.poll(Duration.ofMillis(100));
				if (polled.isEmpty()) {
					continue;
				}
				long now = System.nanoTime();
				for (ConsumerRecord<String, byte[]> record : polled) {
					Header id = record.headers().lastHeader("ce_id");
					this.firstSeenNanos.putIfAbsent(new String(id.value(), StandardCharsets.UTF_8), now);
				}
				this.lastNanos = now;
				this.records.addAndGet(polled.count());
			}
		}
		catch (WakeupException ex) {
			// closing
		}
		catch (RuntimeException ex) {
			this.failure = ex;
		}
		finally {
			this.consumer.close(Duration.ofSeconds(5));
		}
	}

	/** Records consumed so far, second copies included. */
	long records() {
		RuntimeException failed = this.failure;
		if (failed != null) {
			throw new IllegalStateException("The baseline consumer failed", failed);
		}
		return this.records.get();
	}

	/** When the last records were handed to the consumer. */
	long lastNanos() {
		return this.lastNanos;
	}

	/** When each event id was first consumed; complete once closed. */
	Map<String, Long> firstSeenNanos() {
		return this.firstSeenNanos;
	}

	@Override
	public void close() throws InterruptedException {
		this.running = false;
		this.consumer.wakeup();
		this.thread.join();
	}

}
