package io.tierflow.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventSerializer;
import io.tierflow.events.Topics;
import io.tierflow.testsupport.KafkaServer;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.ServiceProcess;
import io.tierflow.testsupport.TestKafka;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.testsupport.TestPostgres;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;

import static org.awaitility.Awaitility.await;

/**
 * Usage events produced to Kafka, metered exactly once into billing-service's ledger.
 * billing-service runs as its own process from its executable jar, the way devstack runs
 * it, against the bench's PostgreSQL and Kafka; the benchmark publishes tenant.created
 * for its tenants, waits until billing has placed them, then sends usage events and reads
 * the ledger ({@code usage_record} in every billing store) directly in PostgreSQL.
 * Phases: a warm-up; Kafka alone at saturation (the same events to a bench-only topic,
 * read by a plain consumer in this JVM); billing at saturation; Kafka alone and billing
 * at a fixed rate, with latencies from each event's scheduled send time.
 */
final class UsageBenchmark {

	/** billing-service's control database and clusters, as devstack names them. */
	private static final List<String> BILLING_DATABASES = List.of("billing", "billing_shared", "billing_dedicated",
			"billing_enterprise");

	private static final Duration POLL = Duration.ofSeconds(2);

	/**
	 * JVM options of billing-service: devstack's heap and collector, but the full JIT
	 * (devstack stops at C1 for a quick start; a throughput run should measure the code
	 * as production runs it).
	 */
	private static final List<String> BENCH_JVM_OPTIONS = List.of("-Xmx512m", "-XX:+UseSerialGC");

	private final int tenants;

	private final int events;

	private final int rate;

	private final int seconds;

	private final int warmup;

	private final int port;

	private final Duration stall;

	private final List<String> billingJvm;

	UsageBenchmark(Map<String, String> options) {
		this.tenants = Bench.intOption(options, "tenants", 100);
		this.events = Bench.intOption(options, "events", 200_000);
		this.rate = Bench.intOption(options, "rate", 10_000);
		this.seconds = Bench.intOption(options, "seconds", 20);
		this.warmup = Bench.intOption(options, "warmup", 50_000);
		this.port = Bench.intOption(options, "port", 18083);
		this.stall = Duration.ofSeconds(Bench.intOption(options, "stall-seconds", 60));
		String jvm = options.get("billing-jvm");
		this.billingJvm = (jvm != null) ? List.of(jvm.trim().split("\\s+")) : BENCH_JVM_OPTIONS;
		if (this.tenants < 5) {
			throw new IllegalArgumentException("--tenants must be at least 5 (1 ENTERPRISE, 4 DEDICATED)");
		}
	}

	String run() throws Exception {
		UsageTraffic traffic = new UsageTraffic(this.tenants);
		Bench.say(String.format(Locale.ROOT,
				"usage: usage events through Kafka into billing's ledger, exactly once; %s; %d events at"
						+ " saturation, %d/s for %d s paced; %d cores",
				traffic.describeTenants(), this.events, this.rate, this.seconds,
				Runtime.getRuntime().availableProcessors()));
		PostgresServer pg = TestPostgres.get();
		KafkaServer kafka = TestKafka.get();
		Bench.say("  PostgreSQL " + pg + ", Kafka " + kafka.bootstrapServers());
		for (String database : BILLING_DATABASES) {
			pg.dropDatabase(database);
			pg.createDatabase(database);
		}
		String run = UUID.randomUUID().toString().substring(0, 8);
		String warmupTopic = "bench.usage." + run + ".warmup";
		String saturationTopic = "bench.usage." + run + ".saturation";
		String pacedTopic = "bench.usage." + run + ".paced";
		createTopics(kafka, List.of(Topics.TENANT, Topics.USER, Topics.SIMULATION, Topics.FILE, warmupTopic,
				saturationTopic, pacedTopic));

		// Where tenant-service would be in devstack's layout: nothing listens there,
		// and nothing asks, the benchmark uses no REST.
		String jwks = "http://localhost:" + (this.port - 3) + "/.well-known/jwks.json";
		Bench.say("  starting billing-service (JVM options " + String.join(" ", this.billingJvm) + ")");
		try (ServiceProcess billing = ServiceProcess.launch("billing-service",
				Path.of("bench/target/services/billing-service.jar"), this.port, this.billingJvm,
				ServiceProcess.environment(this.port, pg, kafka, jwks),
				Path.of("bench/target/usage/logs/billing-service.log"));
				Producer<String, CloudEvent> producer = producer(kafka)) {
			billing.awaitHealthy(Duration.ofMinutes(4));
			Bench.say("  billing-service up at " + billing.url() + " (log: " + billing.logFile() + ")");
			placeTenants(pg, billing, producer, traffic);
			try (BillingLedger ledger = BillingLedger.open(pg, traffic.tenantIds())) {
				Bench.say("  ledger: " + ledger.describe());

				Bench.say("warm-up: " + this.warmup + " events through Kafka alone, then through billing");
				kafkaPhase(kafka, producer, traffic, warmupTopic, this.warmup, false);
				LedgerCheck warm = billingPhase("warm-up", billing, ledger, producer, traffic, this.warmup, false);

				Bench.say("kafka, saturation: " + this.events + " events to " + saturationTopic
						+ " as fast as they go, read by a plain consumer");
				KafkaOutcome kafkaSaturation = kafkaPhase(kafka, producer, traffic, saturationTopic, this.events,
						false);

				Bench.say("billing, saturation: " + this.events + " events to " + Topics.SIMULATION + " and "
						+ Topics.FILE + " as fast as they go");
				LedgerCheck saturation = billingPhase("saturation", billing, ledger, producer, traffic, this.events,
						false);
				double eventsPerSecond = saturation.found() / saturation.secondsToLastRecord();
				Bench.say(String.format(Locale.ROOT,
						"  billing: %,d events metered %.1f s after the first was sent: %,.0f events/s"
								+ " (Kafka alone %,.0f events/s, ratio %.2f)",
						saturation.found(), saturation.secondsToLastRecord(), eventsPerSecond,
						kafkaSaturation.perSecond(), eventsPerSecond / kafkaSaturation.perSecond()));

				Bench.say("kafka, paced: " + this.rate + " events/s for " + this.seconds + " s to " + pacedTopic);
				kafkaPhase(kafka, producer, traffic, pacedTopic, this.rate * this.seconds, true);

				Bench.say("billing, paced: " + this.rate + " events/s for " + this.seconds + " s");
				LedgerCheck paced = billingPhase("paced", billing, ledger, producer, traffic, this.rate * this.seconds,
						true);

				List<LedgerCheck> checks = List.of(warm, saturation, paced);
				long lost = checks.stream().mapToLong(LedgerCheck::lost).sum();
				long duplicated = checks.stream().mapToLong(LedgerCheck::duplicated).sum();
				int held = ledger.read().size();
				int expected = checks.stream().mapToInt(LedgerCheck::found).sum();
				Bench.say(String.format(Locale.ROOT,
						"  over all billing phases: %,d events sent, %d lost, %d duplicated; the ledger holds %,d"
								+ " event ids of the bench's tenants%s",
						checks.stream().mapToInt(LedgerCheck::sent).sum(), lost, duplicated, held,
						(held == expected) ? ", every one sent by a phase" : ", " + (held - expected) + " unexpected"));
				return String.format(Locale.ROOT,
						"RESULT usage events=%d events_per_s=%.0f e2e_p50_ms=%d e2e_p99_ms=%d kafka_ratio=%.2f lost=%d"
								+ " duplicated=%d",
						saturation.found() + paced.found(), eventsPerSecond,
						Math.round(percentile(paced.e2eMicros(), 50) / 1000.0),
						Math.round(percentile(paced.e2eMicros(), 99) / 1000.0),
						eventsPerSecond / kafkaSaturation.perSecond(), lost, duplicated);
			}
		}
	}

	/**
	 * Publishes tenant.created for every tenant and waits until billing has placed them
	 * all (READY in its control database).
	 */
	private void placeTenants(PostgresServer pg, ServiceProcess billing, Producer<String, CloudEvent> producer,
			UsageTraffic traffic) throws Exception {
		long start = System.nanoTime();
		traffic.createTenants(producer, new SentEvents(this.tenants));
		Object[] ids = traffic.tenantIds().toArray();
		try (Connection con = pg.adminConnection("billing")) {
			await().pollInSameThread().pollInterval(POLL).atMost(Duration.ofMinutes(5)).until(() -> {
				billing.checkAlive();
				Map<String, Long> states = new HashMap<>();
				String error = null;
				try (PreparedStatement ps = con.prepareStatement("select state, count(*), max(error)"
						+ " from tierflow.tenant_placement where tenant_id = any(?) group by state")) {
					ps.setArray(1, con.createArrayOf("uuid", ids));
					try (ResultSet rs = ps.executeQuery()) {
						while (rs.next()) {
							states.put(rs.getString(1), rs.getLong(2));
							error = (rs.getString(3) != null) ? rs.getString(3) : error;
						}
					}
				}
				long ready = states.getOrDefault("READY", 0L);
				Bench.say(String.format(Locale.ROOT, "  tenants placed by billing: %d/%d READY  %.1f s  %s", ready,
						this.tenants, (System.nanoTime() - start) / 1e9, states));
				if (states.getOrDefault("FAILED", 0L) > 0) {
					throw new IllegalStateException("billing could not place a tenant: " + error);
				}
				return ready == this.tenants;
			});
		}
	}

	/**
	 * Sends the phase's events to a bench-only topic and waits until the plain consumer
	 * has read them all.
	 */
	private KafkaOutcome kafkaPhase(KafkaServer kafka, Producer<String, CloudEvent> producer, UsageTraffic traffic,
			String topic, int n, boolean paced) throws Exception {
		SentEvents sent = new SentEvents(n);
		KafkaBaseline consumer = new KafkaBaseline(kafka.bootstrapServers(), topic);
		try {
			send(producer, traffic, sent, n, paced, topic);
			awaitCount("kafka: consumed", sent.records(), sent.firstNanos(), consumer::records);
		}
		finally {
			consumer.close();
		}
		Map<String, Long> seen = consumer.firstSeenNanos();
		long lastNanos = consumer.lastNanos();
		long[] latencies = new long[sent.unique()];
		int found = 0;
		for (Map.Entry<String, Long> event : sent.sentAtNanos().entrySet()) {
			Long at = seen.get(event.getKey());
			if (at != null) {
				latencies[found++] = (at - event.getValue()) / 1000;
			}
		}
		latencies = Arrays.copyOf(latencies, found);
		Arrays.sort(latencies);
		KafkaOutcome outcome = new KafkaOutcome(found, (lastNanos - sent.firstNanos()) / 1e9, latencies);
		Bench.say(String.format(Locale.ROOT,
				"  kafka: %,d of %,d events consumed (%,d records with the second copies) %.2f s after the first"
						+ " was sent: %,.0f events/s; latency p50 %.1f ms, p99 %.1f ms, max %.1f ms",
				found, sent.unique(), sent.records(), outcome.seconds(), outcome.perSecond(),
				percentile(latencies, 50) / 1000.0, percentile(latencies, 99) / 1000.0,
				percentile(latencies, 100) / 1000.0));
		if (found != sent.unique()) {
			throw new IllegalStateException("The baseline consumer missed " + (sent.unique() - found) + " events");
		}
		return outcome;
	}

	/**
	 * Sends the phase's events to billing's topics, waits until the ledger has them all
	 * (or stops growing), then checks every event id in it.
	 */
	private LedgerCheck billingPhase(String phase, ServiceProcess billing, BillingLedger ledger,
			Producer<String, CloudEvent> producer, UsageTraffic traffic, int n, boolean paced) throws Exception {
		long before = ledger.rows();
		SentEvents sent = new SentEvents(n);
		send(producer, traffic, sent, n, paced, null);
		boolean complete = awaitCount("billing: in the ledger", sent.unique(), sent.firstNanos(), () -> {
			billing.checkAlive();
			return ledger.rows() - before;
		});
		if (!complete) {
			Bench
				.say("  the ledger stopped growing: counting what is there (billing's log: " + billing.logFile() + ")");
		}
		Map<String, BillingLedger.Metered> read = ledger.read();
		LedgerCheck check = LedgerCheck.of(sent, read);
		long[] e2e = check.e2eMicros();
		Bench.say("  billing " + phase + ", end to end by tier: " + byTier(sent, read, traffic.tiers()));
		Bench.say(String.format(Locale.ROOT,
				"  billing %s: %,d of %,d events in the ledger (%,d sent twice): %d lost, %d duplicated;"
						+ " end to end p50 %.1f ms, p99 %.1f ms, max %.1f ms%s",
				phase, check.found(), check.sent(), sent.duplicates(), check.lost(), check.duplicated(),
				percentile(e2e, 50) / 1000.0, percentile(e2e, 99) / 1000.0, percentile(e2e, 100) / 1000.0,
				paced ? String.format(Locale.ROOT, "; sender at most %.1f ms behind its schedule",
						sent.maxLateNanos() / 1e6) : ""));
		return check;
	}

	/** p50/p99 of the end-to-end latency per tier: where a tail comes from. */
	private static String byTier(SentEvents sent, Map<String, BillingLedger.Metered> ledger, Map<UUID, Tier> tiers) {
		Map<Tier, List<Long>> latencies = new java.util.EnumMap<>(Tier.class);
		for (Map.Entry<String, Long> event : sent.sentAtNanos().entrySet()) {
			BillingLedger.Metered metered = ledger.get(event.getKey());
			if (metered != null) {
				latencies.computeIfAbsent(tiers.get(metered.tenant()), (t) -> new ArrayList<>())
					.add(metered.recordedMicros() - sent.wallMicrosAt(event.getValue()));
			}
		}
		List<String> parts = new ArrayList<>();
		latencies.forEach((tier, values) -> {
			long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
			parts.add(String.format(Locale.ROOT, "%s p50 %.0f ms, p99 %.0f ms (%,d events)", tier,
					percentile(sorted, 50) / 1000.0, percentile(sorted, 99) / 1000.0, sorted.length));
		});
		return String.join("; ", parts);
	}

	private void send(Producer<String, CloudEvent> producer, UsageTraffic traffic, SentEvents sent, int n,
			boolean paced, String topic) {
		try (Progress progress = new Progress("sent", n, sent::count, sent::failed, POLL.toMillis())) {
			if (paced) {
				traffic.paced(producer, this.rate, this.seconds, topic, sent);
			}
			else {
				traffic.burst(producer, n, topic, sent);
			}
		}
		Bench.say(String.format(Locale.ROOT, "  sent %,d events (+%,d second copies) in %.2f s (%,.0f/s)",
				sent.unique(), sent.duplicates(), (sent.lastNanos() - sent.firstNanos()) / 1e9,
				sent.unique() / Math.max((sent.lastNanos() - sent.firstNanos()) / 1e9, 1e-9)));
	}

	/**
	 * Waits until {@code done} reaches {@code total}, printing progress every couple of
	 * seconds (count, overall rate since {@code sinceNanos}, recent rate).
	 * @return false if it gave up because the count stopped growing
	 */
	private boolean awaitCount(String what, long total, long sinceNanos, Callable<Long> done) {
		CountWatch watch = new CountWatch(what, total, sinceNanos, done, this.stall);
		await().pollInSameThread().pollInterval(POLL).atMost(Duration.ofHours(2)).until(watch);
		return watch.reached;
	}

	private static void createTopics(KafkaServer kafka, List<String> topics) throws Exception {
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
			List<NewTopic> created = topics.stream().map((t) -> new NewTopic(t, 3, (short) 1)).toList();
			for (var result : admin.createTopics(created).values().entrySet()) {
				try {
					result.getValue().get();
				}
				catch (ExecutionException ex) {
					if (!(ex.getCause() instanceof TopicExistsException)) {
						throw ex;
					}
				}
			}
			List<String> partitions = new ArrayList<>();
			for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get().values()) {
				if (topic.name().startsWith("tierflow.")) {
					partitions.add(topic.name() + " " + topic.partitions().size());
				}
			}
			Bench.say("  partitions: " + String.join(", ", partitions) + "; bench topics 3");
		}
	}

	/** A producer configured like the services' outbox relays. */
	private static Producer<String, CloudEvent> producer(KafkaServer kafka) {
		Map<String, Object> config = new HashMap<>();
		config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
		config.put(ProducerConfig.ACKS_CONFIG, "all");
		config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
		config.put(ProducerConfig.LINGER_MS_CONFIG, 1);
		config.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-usage");
		return new KafkaProducer<>(config, new StringSerializer(), new CloudEventSerializer());
	}

	/** Nearest rank; 0 for no values. */
	private static long percentile(long[] sorted, double p) {
		if (sorted.length == 0) {
			return 0;
		}
		int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
	}

	/** A Kafka-only phase: events consumed, seconds from first send to last consumed. */
	private record KafkaOutcome(int events, double seconds, long[] latencyMicros) {

		double perSecond() {
			return this.events / this.seconds;
		}

	}

	/**
	 * A billing phase's events as the ledger shows them.
	 *
	 * @param sent unique events sent
	 * @param found of those, how many are in the ledger
	 * @param rows the ledger rows of those events
	 * @param e2eMicros per event found, sorted: first recorded_at − (scheduled) send time
	 * @param secondsToLastRecord from the first send to the last recorded_at
	 */
	private record LedgerCheck(int sent, int found, long rows, long[] e2eMicros, double secondsToLastRecord) {

		static LedgerCheck of(SentEvents sent, Map<String, BillingLedger.Metered> ledger) {
			long[] e2e = new long[sent.unique()];
			int found = 0;
			long rows = 0;
			long lastRecorded = Long.MIN_VALUE;
			for (Map.Entry<String, Long> event : sent.sentAtNanos().entrySet()) {
				BillingLedger.Metered metered = ledger.get(event.getKey());
				if (metered != null) {
					rows += metered.rows();
					e2e[found++] = metered.recordedMicros() - sent.wallMicrosAt(event.getValue());
					lastRecorded = Math.max(lastRecorded, metered.recordedMicros());
				}
			}
			e2e = Arrays.copyOf(e2e, found);
			Arrays.sort(e2e);
			double seconds = (found > 0) ? (lastRecorded - sent.wallMicrosAt(sent.firstNanos())) / 1e6 : Double.NaN;
			return new LedgerCheck(sent.unique(), found, rows, e2e, seconds);
		}

		long lost() {
			return this.sent - this.found;
		}

		long duplicated() {
			return this.rows - this.found;
		}

	}

	/**
	 * Awaitility's condition for a growing count: prints a progress line at each poll,
	 * true once the count reaches its total, or once it has not grown for the stall
	 * timeout.
	 */
	private static final class CountWatch implements Callable<Boolean> {

		private final String what;

		private final long total;

		private final long sinceNanos;

		private final Callable<Long> done;

		private final long stallNanos;

		private long last;

		private long lastAt = System.nanoTime();

		private long lastGrewAt = System.nanoTime();

		boolean reached;

		CountWatch(String what, long total, long sinceNanos, Callable<Long> done, Duration stall) {
			this.what = what;
			this.total = total;
			this.sinceNanos = sinceNanos;
			this.done = done;
			this.stallNanos = stall.toNanos();
		}

		@Override
		public Boolean call() throws Exception {
			long count = this.done.call();
			long now = System.nanoTime();
			Bench
				.say(String.format(Locale.ROOT, "  %s %,d/%,d  %.1f s  %,.0f/s overall, %,.0f/s last %.1f s", this.what,
						count, this.total, (now - this.sinceNanos) / 1e9, count / ((now - this.sinceNanos) / 1e9),
						(count - this.last) / ((now - this.lastAt) / 1e9), (now - this.lastAt) / 1e9));
			if (count != this.last) {
				this.lastGrewAt = now;
			}
			this.last = count;
			this.lastAt = now;
			if (count >= this.total) {
				this.reached = true;
				return true;
			}
			if (now - this.lastGrewAt > this.stallNanos) {
				Bench.say(String.format(Locale.ROOT, "  %s: no progress for %d s, giving up at %,d/%,d", this.what,
						this.stallNanos / 1_000_000_000, count, this.total));
				return true;
			}
			return false;
		}

	}

}
