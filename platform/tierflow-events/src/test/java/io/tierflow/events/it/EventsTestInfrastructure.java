package io.tierflow.events.it;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.tierflow.events.Topics;
import io.tierflow.testsupport.KafkaServer;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TestKafka;
import io.tierflow.testsupport.TestPostgres;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Real infrastructure for the event backbone under test, after
 * {@code ServiceTestInfrastructure} (which this module cannot depend on): fresh databases
 * for a service's control database and its shared, dedicated and enterprise clusters on
 * the test PostgreSQL, the test Kafka broker, and topics of its own.
 */
final class EventsTestInfrastructure {

	/**
	 * Partitions of the event topics: more than one, so that per-tenant order rests on
	 * the key.
	 */
	static final int PARTITIONS = 3;

	/**
	 * Suffix of this run's topics, so that a long-lived broker never replays old events.
	 */
	private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

	private EventsTestInfrastructure() {
	}

	/** The topic the service's events go to and its consumer reads. */
	static String topic(String service) {
		return "tierflow.test." + service + "." + RUN;
	}

	/** The service consumer's dead-letter topic. */
	static String deadLetterTopic(String service) {
		return Topics.deadLetter(service) + "." + RUN;
	}

	/**
	 * Registers a tenant-data service's tenancy, Kafka and topic properties.
	 * @param service the short service name, also the prefix of its databases: unique per
	 * test class
	 */
	static void tenantDataService(DynamicPropertyRegistry registry, String service) {
		PostgresServer pg = TestPostgres.get();
		String control = service + "_control";
		String[][] clusters = { { "shared-eu", service + "_shared", "SHARED", "eu" },
				{ "dedicated-eu", service + "_dedicated", "DEDICATED", "eu" },
				{ "enterprise-eu", service + "_enterprise", "ENTERPRISE", "eu" } };
		recreate(pg, control);
		registry.add("tierflow.tenancy.service", () -> service);
		registry.add("tierflow.tenancy.control.jdbc-url", () -> pg.jdbcUrl(control));
		registry.add("tierflow.tenancy.control.username", pg::adminUser);
		registry.add("tierflow.tenancy.control.password", pg::adminPassword);
		registry.add("tierflow.tenancy.app-role.username", () -> service + "_app");
		registry.add("tierflow.tenancy.app-role.password", () -> "app-secret");
		for (int i = 0; i < clusters.length; i++) {
			String[] c = clusters[i];
			recreate(pg, c[1]);
			String p = "tierflow.tenancy.clusters[" + i + "].";
			registry.add(p + "name", () -> c[0]);
			registry.add(p + "jdbc-url", () -> pg.jdbcUrl(c[1]));
			registry.add(p + "username", pg::adminUser);
			registry.add(p + "password", pg::adminPassword);
			registry.add(p + "role", () -> c[2]);
			registry.add(p + "region", () -> c[3]);
		}
		kafka(registry);
		createTopic(topic(service));
		registry.add("tierflow.test.topic", () -> topic(service));
		registry.add("tierflow.test.dead-letter-topic", () -> deadLetterTopic(service));
	}

	/**
	 * Registers the test broker for the relay, Spring Kafka and the Spring Cloud Stream
	 * binder.
	 */
	static void kafka(DynamicPropertyRegistry registry) {
		KafkaServer kafka = TestKafka.get();
		registry.add("spring.kafka.bootstrap-servers", kafka::bootstrapServers);
		registry.add("spring.cloud.stream.kafka.binder.brokers", kafka::bootstrapServers);
		kafka.springProperties().forEach((name, value) -> registry.add(name, () -> value));
		registry.add("tierflow.events.relay.sweep-interval", () -> "1s");
	}

	/**
	 * Creates a topic with {@link #PARTITIONS} partitions, as operations would, before
	 * anything uses it.
	 */
	static void createTopic(String name) {
		try (Admin admin = Admin.create(TestKafka.get().clientConfig())) {
			admin.createTopics(List.of(new NewTopic(name, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
		}
		catch (ExecutionException ex) {
			if (!(ex.getCause() instanceof TopicExistsException)) {
				throw new IllegalStateException("Cannot create topic " + name, ex);
			}
		}
		catch (Exception ex) {
			throw new IllegalStateException("Cannot create topic " + name, ex);
		}
	}

	private static void recreate(PostgresServer pg, String database) {
		pg.dropDatabase(database);
		pg.createDatabase(database);
	}

}
