package io.tierflow.events.it;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.github.f4b6a3.uuid.UuidCreator;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventSerializer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tierflow.events.outbox.Outbox;
import io.tierflow.events.outbox.OutboxLocation;
import io.tierflow.events.outbox.OutboxRelay;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TestKafka;
import io.tierflow.testsupport.TestPostgres;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The relay's own life, without a Spring context: one outbox in a plain database (the
 * platform's outbox migration), written through {@link Outbox} and drained by an
 * {@link OutboxRelay} built here, so that its workers and lifecycle can be driven
 * directly.
 */
class OutboxRelayLifecycleIT {

	private static final String DATABASE = "relaylifecycle";

	private static final String SCHEMA = "lifecycle";

	private static final String TOPIC = EventsTestInfrastructure.topic("lifecycle");

	private static final UUID TENANT = UUID.randomUUID();

	private static HikariDataSource app;

	private static HikariDataSource relayPool;

	private static BrokerClient.Reader events;

	private final List<KafkaProducer<String, CloudEvent>> producers = new ArrayList<>();

	private OutboxLocation location;

	@BeforeAll
	static void database() {
		PostgresServer pg = TestPostgres.get();
		pg.dropDatabase(DATABASE);
		pg.createDatabase(DATABASE);
		app = pool("lifecycle-app");
		relayPool = pool("lifecycle-relay");
		EventsTestInfrastructure.createTopic(TOPIC);
		events = BrokerClient.read(TOPIC);
	}

	@AfterAll
	static void close() {
		events.close();
		app.close();
		relayPool.close();
	}

	@BeforeEach
	void emptyOutbox() throws Exception {
		try (Connection con = admin(); Statement st = con.createStatement()) {
			st.execute("drop schema if exists " + SCHEMA + " cascade");
			st.execute("create schema " + SCHEMA);
			st.execute("set search_path to " + SCHEMA);
			for (String script : new String[] { "V0_1__tierflow_events.sql", "V0_2__outbox_traceparent.sql" }) {
				st.execute(new ClassPathResource("db/tierflow/tenant/" + script)
					.getContentAsString(StandardCharsets.UTF_8));
			}
		}
		this.location = new OutboxLocation("lifecycle", relayPool, SCHEMA);
	}

	@AfterEach
	void closeProducers() {
		this.producers.forEach((p) -> p.close(Duration.ofSeconds(5)));
	}

	/**
	 * A {@code SmartLifecycle} may be stopped and started again: by
	 * {@code ConfigurableApplicationContext.stop()/start()}, or by an operator pausing
	 * the relay.
	 */
	@Test
	void relayStoppedAndStartedAgainPublishesWhatWasCommittedMeanwhile() {
		OutboxRelay relay = relay(Duration.ofSeconds(1));
		Outbox outbox = outbox(relay);
		relay.start();
		try {
			UUID before = append(outbox, "before-stop");
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events.find(before)).isPresent());

			relay.stop();
			UUID meanwhile = append(outbox, "while-stopped");
			assertThat(outboxIds()).containsExactly(meanwhile);

			relay.start();
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(events.find(meanwhile)).as("published after restart").isPresent());
			assertThat(outboxIds()).isEmpty();
		}
		finally {
			relay.stop();
		}
	}

	@Test
	void commitWokenWhileAnotherWorkerDrainsTheSameOutboxIsRelayedWithoutWaitingForTheSweep() throws Exception {
		// The sweep runs once, at start, and then not again during this test: only the
		// wake-up of a commit can get its event out.
		OutboxRelay relay = relay(Duration.ofHours(1));
		Outbox outbox = outbox(relay);
		UUID first = UuidCreator.getTimeOrderedEpoch();
		try (Connection con = admin(); Statement st = con.createStatement()) {
			st.execute("insert into " + SCHEMA + ".outbox (tenant_id, id, topic, type, subject, data) values ('"
					+ TENANT + "', '" + first + "', '" + TOPIC + "', 'tierflow.test.slow.v1', null, '{}')");
		}
		try (Connection holder = admin()) {
			// Holding the first row makes the draining worker wait on its delete, after
			// publishing, with the outbox's advisory lock held: a slow broker ack does
			// the same for a few milliseconds.
			holder.setAutoCommit(false);
			try (PreparedStatement ps = holder
				.prepareStatement("select id from " + SCHEMA + ".outbox where id = ? for update")) {
				ps.setObject(1, first);
				ps.executeQuery().close();
			}
			relay.start();
			try {
				await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
					assertThat(events.find(first)).isPresent();
					assertThat(deletesWaitingForALock()).isEqualTo(1);
				});

				UUID second = append(outbox, "woken");
				// The wake-up is taken while the first worker still holds the outbox: the
				// other worker (idle, and woken at once) finds it locked.
				await().during(Duration.ofMillis(500))
					.atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(deletesWaitingForALock()).isEqualTo(1));
				holder.rollback();

				await().atMost(Duration.ofSeconds(5))
					.untilAsserted(() -> assertThat(events.find(second))
						.as("event woken while the outbox was being drained, sweep an hour away")
						.isPresent());
			}
			finally {
				holder.rollback();
				relay.stop();
			}
		}
	}

	@Test
	void everySweepMeasuresTheBacklogAndHowLongItsOldestRowWaited() throws Exception {
		OutboxRelay relay = relay(Duration.ofMillis(200));
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		relay.bindTo(meters);
		List<UUID> waiting = new ArrayList<>();
		try (Connection holder = admin()) {
			// Another instance drains this outbox (it holds the outbox's lock): the rows
			// wait.
			holder.setAutoCommit(false);
			try (PreparedStatement ps = holder.prepareStatement("select pg_advisory_xact_lock(hashtext(?))")) {
				ps.setString(1, "tierflow.outbox." + SCHEMA);
				ps.executeQuery().close();
			}
			try (Connection con = admin(); Statement st = con.createStatement()) {
				for (int i = 0; i < 3; i++) {
					UUID id = UuidCreator.getTimeOrderedEpoch();
					waiting.add(id);
					st.execute("insert into " + SCHEMA + ".outbox (tenant_id, id, topic, type, subject, data,"
							+ " created_at) values ('" + TENANT + "', '" + id + "', '" + TOPIC
							+ "', 'tierflow.test.waiting.v1', null, '{}', now() - interval '90 seconds')");
				}
			}
			relay.start();
			try {
				await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
					assertThat(meters.get(OutboxRelay.BACKLOG).gauge().value()).isEqualTo(3);
					assertThat(meters.get(OutboxRelay.LAG).gauge().value()).isBetween(90.0, 150.0);
				});
				assertThat(meters.get(OutboxRelay.LAG).gauge().getId().getBaseUnit()).isEqualTo("seconds");
				holder.rollback();

				await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
					assertThat(events.find(waiting.get(2))).isPresent();
					assertThat(meters.get(OutboxRelay.BACKLOG).gauge().value()).isZero();
					assertThat(meters.get(OutboxRelay.LAG).gauge().value()).isZero();
				});
				assertThat(meters.get(OutboxRelay.RELAYED).functionCounter().count()).isGreaterThanOrEqualTo(3);
			}
			finally {
				holder.rollback();
				relay.stop();
			}
		}
		for (Meter meter : meters.getMeters()) {
			assertThat(meter.getId().getTags()).as(meter.getId().getName()).isEmpty();
		}
	}

	private OutboxRelay relay(Duration sweepInterval) {
		Map<String, Object> config = new HashMap<>(TestKafka.get().clientConfig());
		config.put(ProducerConfig.ACKS_CONFIG, "all");
		config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
		KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(config, new StringSerializer(),
				new CloudEventSerializer());
		this.producers.add(producer);
		return new OutboxRelay(URI.create("//tierflow/lifecycle"), producer, () -> List.of(this.location),
				sweepInterval, 500, 2);
	}

	private Outbox outbox(OutboxRelay relay) {
		return new Outbox(JdbcClient.create(app), JsonMapper.builder().build(), relay, () -> this.location);
	}

	private UUID append(Outbox outbox, String name) {
		return new TransactionTemplate(new JdbcTransactionManager(app)).execute(
				(status) -> outbox.append(TOPIC, "tierflow.test.lifecycle.v1", TENANT, null, Map.of("name", name)));
	}

	private List<UUID> outboxIds() {
		return JdbcClient.create(app).sql("select id from outbox order by id").query(UUID.class).list();
	}

	private static int deletesWaitingForALock() throws SQLException {
		try (Connection con = admin();
				PreparedStatement ps = con.prepareStatement("select count(*) from pg_stat_activity where datname = ?"
						+ " and wait_event_type = 'Lock' and query like 'delete from " + SCHEMA + ".outbox%'")) {
			ps.setString(1, DATABASE);
			try (ResultSet rs = ps.executeQuery()) {
				rs.next();
				return rs.getInt(1);
			}
		}
	}

	private static Connection admin() throws SQLException {
		return TestPostgres.get().adminConnection(DATABASE);
	}

	private static HikariDataSource pool(String name) {
		PostgresServer pg = TestPostgres.get();
		HikariConfig config = new HikariConfig();
		config.setPoolName(name);
		config.setJdbcUrl(pg.jdbcUrl(DATABASE));
		config.setUsername(pg.adminUser());
		config.setPassword(pg.adminPassword());
		config.setSchema(SCHEMA);
		config.setMaximumPoolSize(4);
		config.setMinimumIdle(0);
		config.setInitializationFailTimeout(-1);
		return new HikariDataSource(config);
	}

}
