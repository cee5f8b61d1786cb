package io.tierflow.testsupport;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The one real Kafka broker shared by every test in the JVM, started lazily on first use.
 * It is, in this order: the cluster named by the system property
 * {@value #BOOTSTRAP_PROPERTY} or {@code TIERFLOW_TEST_KAFKA_BOOTSTRAP}; an
 * {@code apache/kafka:4.1.1} Testcontainers container when a Docker engine answers; or a
 * single in-JVM KRaft broker from spring-kafka-test that requires SASL/SCRAM
 * ({@link #startSecured()}; plaintext with
 * {@code TIERFLOW_TEST_KAFKA_SECURITY=plaintext}), with topics auto-created with three
 * partitions and single-replica internal topics. {@link #startLocal(int)} starts another
 * in-JVM broker, on a fixed port if asked, for a local development launcher. In-JVM
 * brokers run until the JVM exits, which also deletes their data.
 */
public final class TestKafka {

	private static final Logger logger = LoggerFactory.getLogger(TestKafka.class);

	private static final String IMAGE = "apache/kafka:4.1.1";

	private static final int PARTITIONS = 3;

	/** Extra listener that carries a fixed port; the test kit binds its own to port 0. */
	private static final String FIXED_LISTENER = "LOCAL";

	/** The user every test client signs in as (SCRAM-SHA-256). */
	public static final String CLIENT_USER = "tierflow";

	private static final String CLIENT_PASSWORD = "tierflow-test-secret";

	/** The broker's own user, for its inter-broker connections (PLAIN). */
	private static final String BROKER_USER = "broker";

	private static final String BROKER_PASSWORD = "broker-test-secret";

	/**
	 * System property naming a cluster to use, like {@code TIERFLOW_TEST_KAFKA_BOOTSTRAP}
	 * (which it wins over).
	 */
	public static final String BOOTSTRAP_PROPERTY = "tierflow.test.kafka.bootstrap";

	private static volatile KafkaServer server;

	private TestKafka() {
	}

	/**
	 * Return the shared broker, starting it on first call.
	 * @return the broker's address
	 */
	public static KafkaServer get() {
		KafkaServer result = server;
		if (result == null) {
			synchronized (TestKafka.class) {
				result = server;
				if (result == null) {
					result = start();
					server = result;
				}
			}
		}
		return result;
	}

	/**
	 * Start a new in-JVM KRaft broker that runs until the JVM exits.
	 * @param port the port clients connect to on 127.0.0.1, or 0 for any free port
	 * @return the broker's address
	 */
	public static KafkaServer startLocal(int port) {
		long startedAt = System.nanoTime();
		EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, PARTITIONS);
		broker.brokerProperties(Map.of("auto.create.topics.enable", "true", "offsets.topic.replication.factor", "1",
				"transaction.state.log.replication.factor", "1", "transaction.state.log.min.isr", "1",
				"group.initial.rebalance.delay.ms", "0"));
		if (port != 0) {
			// The test kit ignores kafkaPorts(..) and pre-binds its own listeners to
			// random ports, so the fixed port gets a listener of its own.
			broker.brokerProperty("listeners",
					"EXTERNAL://localhost:0,CONTROLLER://localhost:0," + FIXED_LISTENER + "://127.0.0.1:" + port);
			broker.brokerProperty("listener.security.protocol.map",
					"EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT," + FIXED_LISTENER + ":PLAINTEXT");
		}
		// By default the address would also land in the spring.kafka.bootstrap-servers
		// system property, overriding every application's configuration (null is not
		// allowed: it fails with a NullPointerException).
		broker.brokerListProperty("tierflow.test.kafka.bootstrap-servers");
		broker.afterPropertiesSet();
		// No shutdown hook of ours: the test kit's data directory comes from Kafka's
		// TestUtils.tempDirectory(), whose own hook deletes it at JVM exit; stopping the
		// broker in a second hook would race with that deletion and log storage errors.
		KafkaServer started = new KafkaServer((port != 0) ? "127.0.0.1:" + port : broker.getBrokersAsString());
		logger.info("In-JVM Kafka KRaft broker at {} started in {} ms", started.bootstrapServers(),
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt));
		return started;
	}

	/**
	 * Start a new in-JVM KRaft broker that accepts only authenticated clients: its one
	 * client listener is SASL_PLAINTEXT, clients sign in with SCRAM-SHA-256 as
	 * {@link #CLIENT_USER} (created in the cluster's metadata once the broker is up), the
	 * broker itself with PLAIN. The returned server carries the client settings.
	 * @return the broker's address and the settings its clients need
	 */
	public static KafkaServer startSecured() {
		long startedAt = System.nanoTime();
		EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, PARTITIONS);
		broker.brokerProperties(Map.of("auto.create.topics.enable", "true", "offsets.topic.replication.factor", "1",
				"transaction.state.log.replication.factor", "1", "transaction.state.log.min.isr", "1",
				"group.initial.rebalance.delay.ms", "0"));
		broker.brokerProperty("listener.security.protocol.map", "EXTERNAL:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
		broker.brokerProperty("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256");
		broker.brokerProperty("sasl.mechanism.inter.broker.protocol", "PLAIN");
		broker.brokerProperty("listener.name.external.plain.sasl.jaas.config",
				"org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + BROKER_USER
						+ "\" password=\"" + BROKER_PASSWORD + "\" user_" + BROKER_USER + "=\"" + BROKER_PASSWORD
						+ "\";");
		broker.brokerProperty("listener.name.external.scram-sha-256.sasl.jaas.config",
				"org.apache.kafka.common.security.scram.ScramLoginModule required;");
		broker.brokerListProperty("tierflow.test.kafka.bootstrap-servers");
		broker.afterPropertiesSet();
		String bootstrap = broker.getBrokersAsString();
		Map<String, Object> admin = new java.util.HashMap<>();
		admin.put("bootstrap.servers", bootstrap);
		admin.put("security.protocol", "SASL_PLAINTEXT");
		admin.put("sasl.mechanism", "PLAIN");
		admin.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
				+ BROKER_USER + "\" password=\"" + BROKER_PASSWORD + "\";");
		try (org.apache.kafka.clients.admin.Admin client = org.apache.kafka.clients.admin.Admin.create(admin)) {
			client
				.alterUserScramCredentials(List.of(new org.apache.kafka.clients.admin.UserScramCredentialUpsertion(
						CLIENT_USER,
						new org.apache.kafka.clients.admin.ScramCredentialInfo(
								org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_256, 4096),
						CLIENT_PASSWORD)))
				.all()
				.get(60, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			throw new IllegalStateException("Could not create the test broker's SCRAM user", ex);
		}
		KafkaServer started = new KafkaServer(bootstrap,
				Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "SCRAM-SHA-256", "sasl.jaas.config",
						"org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + CLIENT_USER
								+ "\" password=\"" + CLIENT_PASSWORD + "\";"));
		logger.info("In-JVM Kafka KRaft broker requiring SASL/SCRAM at {} started in {} ms", bootstrap,
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt));
		return started;
	}

	private static KafkaServer start() {
		// A benchmark that starts a broker process of its own names it in the system
		// property before the first use.
		String bootstrap = System.getProperty(BOOTSTRAP_PROPERTY, System.getenv("TIERFLOW_TEST_KAFKA_BOOTSTRAP"));
		if (bootstrap != null && !bootstrap.isBlank()) {
			logger.info("Using Kafka from the environment: {}", bootstrap);
			return new KafkaServer(bootstrap);
		}
		if (DockerProbe.available()) {
			return startContainer();
		}
		// Secured like a production cluster, so that every client of the suite proves it
		// carries spring.kafka.* security settings; benchmarks may ask for plaintext.
		if ("plaintext".equalsIgnoreCase(System.getenv("TIERFLOW_TEST_KAFKA_SECURITY"))) {
			return startLocal(0);
		}
		return startSecured();
	}

	@SuppressWarnings("resource") // Stopped by Testcontainers when the JVM exits.
	private static KafkaServer startContainer() {
		long startedAt = System.nanoTime();
		KafkaContainer container = new KafkaContainer(DockerImageName.parse(IMAGE))
			.withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "true")
			.withEnv("KAFKA_NUM_PARTITIONS", String.valueOf(PARTITIONS))
			.withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
		container.start();
		KafkaServer started = new KafkaServer(container.getBootstrapServers());
		logger.info("Started {} container at {} in {} ms", IMAGE, started.bootstrapServers(),
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt));
		return started;
	}

}
