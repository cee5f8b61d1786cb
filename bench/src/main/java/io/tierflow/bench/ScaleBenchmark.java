package io.tierflow.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;

import com.zaxxer.hikari.HikariDataSource;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.TestTokenDecoderConfiguration;
import io.tierflow.tenancy.TenancyProperties;
import io.tierflow.tenancy.migration.MigrationReport;
import io.tierflow.tenancy.migration.PlacementMigrator;
import io.tierflow.tenancy.placement.StoreNames;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.routing.PlacementPools;
import io.tierflow.testsupport.KafkaCluster;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TestKafka;
import io.tierflow.testsupport.TestPostgres;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * One simulation-service at fleet size ({@code bench/run scale}): {@code shared} SHARED
 * tenants, {@code schemas} tenants with a schema each and {@code databases} with a
 * database each, provisioned through the service's provisioner. Measured: each tier's
 * provisioning time; a migration pass over every store with nothing to do; the service's
 * CPU while idle at that size; its heap after a full GC; the most connections it held to
 * PostgreSQL at any time of the run, against the bound its configuration sets; and the
 * p99 of a tenant's {@code GET /api/v1/models/{id}} at full size against the same service
 * with 100 tenants, both in this JVM and measured in alternating rounds.
 *
 * <p>
 * Kafka runs as a process of its own, so this JVM's CPU and heap are the service's (and
 * the benchmark's, which sleeps while they are taken).
 */
final class ScaleBenchmark {

	/** Databases of the service at full size; not a prefix of the small one's. */
	private static final String PREFIX = "bench_scale_full";

	private static final String SMALL_PREFIX = "bench_scale_small";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String MODEL = "{\"name\":\"scale\",\"definition\":{\"inputs\":[{\"name\":\"units\","
			+ "\"distribution\":{\"type\":\"normal\",\"mean\":1000,\"sd\":100}},{\"name\":\"price\",\"distribution\":"
			+ "{\"type\":\"fixed\",\"value\":10}}],\"outputs\":[{\"name\":\"revenue\",\"expression\":\"units * price\"}]}}";

	private final int shared;

	private final int schemas;

	private final int databases;

	private final int parallelism;

	private final int databaseParallelism;

	private final int small;

	private final int sample;

	private final int threads;

	private final int rounds;

	private final double phaseSeconds;

	private final int warmupSeconds;

	private final int settleSeconds;

	private final int idleSeconds;

	private final Map<String, String> settings;

	ScaleBenchmark(Map<String, String> options) {
		this.shared = Bench.intOption(options, "shared", 100_000);
		this.schemas = Bench.intOption(options, "schemas", 10_000);
		this.databases = Bench.intOption(options, "databases", 1_000);
		this.parallelism = Bench.intOption(options, "parallelism", 8);
		this.databaseParallelism = Bench.intOption(options, "database-parallelism", 4);
		this.small = Bench.intOption(options, "small", 100);
		this.sample = Bench.intOption(options, "sample", 1_000);
		this.threads = Bench.intOption(options, "threads", 4);
		this.rounds = Bench.intOption(options, "rounds", 10);
		this.phaseSeconds = Bench.intOption(options, "phase-seconds", 5);
		this.warmupSeconds = Bench.intOption(options, "warmup-seconds", 60);
		this.settleSeconds = Bench.intOption(options, "settle-seconds", 120);
		this.idleSeconds = Bench.intOption(options, "idle-seconds", 60);
		this.settings = Bench.serviceSettings(options);
	}

	String run() throws Exception {
		Bench.say(String.format(Locale.ROOT,
				"scale: one simulation-service with %d SHARED, %d SCHEMA and %d DATABASE tenants (provisioned %d,"
						+ " %d and %d at a time); routing p99 against the same service with %d tenants; %d cores",
				this.shared, this.schemas, this.databases, this.parallelism, this.parallelism, this.databaseParallelism,
				this.small, Runtime.getRuntime().availableProcessors()));
		Path kafkaDir = Path.of("bench/target/scale-kafka");
		deleteTree(kafkaDir);
		try (KafkaCluster kafka = KafkaCluster.start(kafkaDir, freePortPair(), 1)) {
			System.setProperty(TestKafka.BOOTSTRAP_PROPERTY, kafka.server().bootstrapServers());
			PostgresServer pg = TestPostgres.get();
			Bench.say("  PostgreSQL " + pg + ", Kafka (own process) " + TestKafka.get().bootstrapServers());
			return measure(pg);
		}
	}

	private String measure(PostgresServer pg) throws Exception {
		List<UUID> sharedIds = randomIds(this.shared);
		List<UUID> schemaIds = randomIds(this.schemas);
		List<UUID> databaseIds = randomIds(this.databases);
		try (ConfigurableApplicationContext service = ServiceUnderBench.start(PREFIX, true, this.settings,
				TestTokenDecoderConfiguration.class)) {
			TenancyProperties tenancy = service.getBean(TenancyProperties.class);
			Set<String> tenantDatabases = new java.util.HashSet<>();
			for (UUID id : databaseIds) {
				tenantDatabases.add(StoreNames.tenantDatabase(tenancy.service(), id));
			}
			try (ConnectionWatch connections = new ConnectionWatch(pg,
					(db) -> db.startsWith(PREFIX + "_") || tenantDatabases.contains(db))) {
				FleetMigrateBenchmark.awaitStartupRollout(service);
				int bound = bound(service, tenancy);
				TenantProvisioner provisioner = service.getBean(TenantProvisioner.class);
				double sharedSeconds = provision(provisioner, Tier.SHARED, sharedIds, this.parallelism);
				double schemaSeconds = provision(provisioner, Tier.DEDICATED, schemaIds, this.parallelism);
				double databaseSeconds = provision(provisioner, Tier.ENTERPRISE, databaseIds, this.databaseParallelism);

				PlacementMigrator migrator = service.getBean(PlacementMigrator.class);
				long at = System.nanoTime();
				MigrationReport pass = migrator.migrateAll();
				double noopSeconds = (System.nanoTime() - at) / 1e9;
				Bench.say(String.format(Locale.ROOT,
						"  migration pass over %d stores: %d migrated, %d up to date, %d failed in %.3f s",
						pass.total(), pass.migrated(), pass.skipped(), pass.failures().size(), noopSeconds));
				if (pass.migrated() != 0 || !pass.failures().isEmpty()) {
					throw new IllegalStateException("The pass had work to do: " + pass);
				}

				double idlePercent = idle(connections);
				long heapMb = heapAfterFullGc();

				List<UUID> all = new ArrayList<>(sharedIds.size() + schemaIds.size() + databaseIds.size());
				all.addAll(sharedIds);
				all.addAll(schemaIds);
				all.addAll(databaseIds);
				Collections.shuffle(all, new Random(20261206));
				double ratio = compareRouting(service, all.subList(0, Math.min(this.sample, all.size())));

				int maxConnections = connections.max();
				Bench.say(String.format(Locale.ROOT,
						"  connections to the service's databases: at most %d (%s), bound %d (control pool, every"
								+ " cluster's base pools, %d tenant database pools of the largest size, two plain"
								+ " connections per tenant database migrated at once, the placement listener and"
								+ " the rollout lock)",
						maxConnections, connections.maxWhen(), bound, tenancy.pools().maxOpenDatabasePools()));
				Bench.say(String.format(Locale.ROOT,
						"  goals: provisioning of %d SCHEMA tenants <= 150 s %s; no-op pass <= 5 s %s; p99 ratio >= 0.9"
								+ " %s; idle CPU <= 5%% of a core %s; connections within the bound %s; heap <= 512 MB %s",
						this.schemas, met(schemaSeconds <= 150), met(noopSeconds <= 5), met(ratio >= 0.9),
						met(idlePercent <= 5), met(maxConnections <= bound), met(heapMb <= 512)));
				return String.format(Locale.ROOT,
						"RESULT scale shared=%d schemas=%d databases=%d provision_schema_s=%.1f noop_migrate_s=%.3f"
								+ " p99_ratio=%.3f idle_cpu_pct=%.1f max_connections=%d bound=%d heap_mb=%d"
								+ " provision_shared_s=%.1f provision_database_s=%.1f",
						this.shared, this.schemas, this.databases, schemaSeconds, noopSeconds, ratio, idlePercent,
						maxConnections, bound, heapMb, sharedSeconds, databaseSeconds);
			}
		}
	}

	private static String met(boolean met) {
		return met ? "met" : "MISSED";
	}

	/**
	 * The most connections the service may open to PostgreSQL by its configuration: its
	 * control pool, its placement pools ({@link PlacementPools#maxConnections()}), two
	 * plain connections per tenant database migrated at once (Flyway's), the placement
	 * listener's and the rollout lock's.
	 */
	private int bound(ConfigurableApplicationContext service, TenancyProperties tenancy) {
		int control = service.getBean("controlDataSource", HikariDataSource.class).getMaximumPoolSize();
		int pools = service.getBean(PlacementPools.class).maxConnections();
		int migrations = 2 * Math.max(tenancy.migration().parallelism(), this.databaseParallelism);
		Bench.say(String.format(Locale.ROOT,
				"  connection bound: control pool %d + placement pools %d + tenant database migrations %d + 2", control,
				pools, migrations));
		return control + pools + migrations + 2;
	}

	private static double provision(TenantProvisioner provisioner, Tier tier, List<UUID> ids, int threads)
			throws Exception {
		long at = System.nanoTime();
		// The placements are dropped at once: the heap measured later is the service's.
		int placed = FleetMigrateBenchmark.provision(provisioner, tier, ids, threads).size();
		double seconds = (System.nanoTime() - at) / 1e9;
		Bench.say(String.format(Locale.ROOT, "  provisioned %d %s tenants in %.1f s (%.1f/s)", placed, tier, seconds,
				placed / seconds));
		return seconds;
	}

	/**
	 * The service's CPU, in percent of one core, over {@code idleSeconds} with nothing
	 * asked of it (after {@code settleSeconds} for the last provisioning's relaying).
	 */
	private double idle(ConnectionWatch connections) throws InterruptedException {
		Bench.say("  idle: settling for " + this.settleSeconds + " s, then measuring for " + this.idleSeconds + " s");
		Thread.sleep(this.settleSeconds * 1000L);
		CpuShares cpu = CpuShares.start(PREFIX + "_control");
		Thread.sleep(this.idleSeconds * 1000L);
		CpuShares.Used used = cpu.used();
		double percent = 100 * used.jvm() / used.wall();
		Bench.say(String.format(Locale.ROOT,
				"  idle at full size: the service's JVM used %.2f CPU-s in %.1f s = %.1f%% of a core; PostgreSQL %.2f"
						+ " CPU-s (%.1f%% of a core); %d connections open at the end",
				used.jvm(), used.wall(), percent, used.postgres(), 100 * used.postgres() / used.wall(),
				connections.current()));
		cpu.jvmThreads(8).forEach(Bench::say);
		cpu.postgresProcesses(10).forEach(Bench::say);
		return percent;
	}

	private static long heapAfterFullGc() throws InterruptedException {
		System.gc();
		Thread.sleep(500);
		System.gc();
		long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
		long mb = used / (1024 * 1024);
		Bench.say("  heap after a full GC: " + mb + " MB (the service's, with the benchmark's lists of tenant ids)");
		return mb;
	}

	/**
	 * Starts the same service with {@code small} tenants (of each tier in the fleet's
	 * proportions), gives one model to each of them and to the {@code sampled} tenants of
	 * the full service, warms both up, then runs GETs of those models against each in
	 * alternating rounds.
	 * @return the p99 with {@code small} tenants over the p99 at full size
	 */
	private double compareRouting(ConfigurableApplicationContext full, List<UUID> sampled) throws Exception {
		int total = this.shared + this.schemas + this.databases;
		int smallSchemas = Math.max(1, Math.round((float) this.small * this.schemas / total));
		int smallDatabases = Math.max(1, Math.round((float) this.small * this.databases / total));
		int smallShared = Math.max(1, this.small - smallSchemas - smallDatabases);
		Bench.say(String.format(Locale.ROOT,
				"  routing: the same service with %d SHARED, %d SCHEMA, %d DATABASE tenants beside it", smallShared,
				smallSchemas, smallDatabases));
		try (ConfigurableApplicationContext smallService = ServiceUnderBench.start(SMALL_PREFIX, true, this.settings,
				TestTokenDecoderConfiguration.class)) {
			FleetMigrateBenchmark.awaitStartupRollout(smallService);
			TenantProvisioner provisioner = smallService.getBean(TenantProvisioner.class);
			List<UUID> smallIds = new ArrayList<>();
			for (Object[] tier : new Object[][] { { Tier.SHARED, smallShared }, { Tier.DEDICATED, smallSchemas },
					{ Tier.ENTERPRISE, smallDatabases } }) {
				List<UUID> ids = randomIds((Integer) tier[1]);
				FleetMigrateBenchmark.provision(provisioner, (Tier) tier[0], ids, 2);
				smallIds.addAll(ids);
			}
			List<HttpLoad.Target> fullTargets = models(base(full), sampled, "full");
			List<HttpLoad.Target> smallTargets = models(base(smallService), smallIds, "small");
			Bench.say(String.format(Locale.ROOT,
					"  a model each for %d sampled tenants of the full service and the %d"
							+ " of the small one; warming both up for %d s",
					sampled.size(), smallIds.size(), this.warmupSeconds));
			HttpLoad load = new HttpLoad(this.threads);
			long warmEnd = System.nanoTime() + this.warmupSeconds * 1_000_000_000L;
			while (System.nanoTime() < warmEnd) {
				check(load.run(fullTargets, this.phaseSeconds));
				check(load.run(smallTargets, this.phaseSeconds));
			}
			List<long[]> fullLatencies = new ArrayList<>();
			List<long[]> smallLatencies = new ArrayList<>();
			List<Double> roundRatios = new ArrayList<>();
			for (int r = 0; r < this.rounds; r++) {
				boolean fullFirst = r % 2 == 0;
				HttpLoad.Outcome first = check(load.run(fullFirst ? fullTargets : smallTargets, this.phaseSeconds));
				HttpLoad.Outcome second = check(load.run(fullFirst ? smallTargets : fullTargets, this.phaseSeconds));
				HttpLoad.Outcome f = fullFirst ? first : second;
				HttpLoad.Outcome s = fullFirst ? second : first;
				fullLatencies.add(f.latencyNanos());
				smallLatencies.add(s.latencyNanos());
				roundRatios.add(s.percentileMillis(99) / f.percentileMillis(99));
				Bench.say(String.format(Locale.ROOT,
						"  round %d: full size %.0f/s p50 %.2f ms p99 %.2f ms; %d tenants %.0f/s p50 %.2f ms p99 %.2f ms",
						r + 1, f.perSecond(), f.percentileMillis(50), f.percentileMillis(99), this.small, s.perSecond(),
						s.percentileMillis(50), s.percentileMillis(99)));
			}
			double fullP99 = percentileMillis(fullLatencies, 99);
			double smallP99 = percentileMillis(smallLatencies, 99);
			// Each round pairs two adjacent phases, so a ratio per round cancels the
			// machine's slower and faster minutes; their median is not swung by the one
			// phase a GC or the VM's neighbours hit, which the pooled p99s are.
			List<Double> sorted = roundRatios.stream().sorted().toList();
			int n = sorted.size();
			double ratio = (n % 2 == 1) ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
			Bench.say(String.format(Locale.ROOT,
					"  routing over %d rounds: p99 at full size %.2f ms, with %d tenants %.2f ms (pooled ratio %.3f);"
							+ " per-round ratios %s, median %.3f",
					this.rounds, fullP99, this.small, smallP99, smallP99 / fullP99,
					roundRatios.stream().map((r) -> String.format(Locale.ROOT, "%.2f", r)).toList(), ratio));
			return ratio;
		}
	}

	private static HttpLoad.Outcome check(HttpLoad.Outcome outcome) {
		if (outcome.firstError() != null) {
			throw new IllegalStateException("A GET failed: " + outcome.firstError());
		}
		return outcome;
	}

	private static double percentileMillis(List<long[]> rounds, double percentile) {
		long[] merged = rounds.stream().flatMapToLong(Arrays::stream).sorted().toArray();
		int index = (int) Math.ceil(percentile / 100.0 * merged.length) - 1;
		return merged[Math.max(0, Math.min(merged.length - 1, index))] / 1e6;
	}

	private static String base(ConfigurableApplicationContext service) {
		return "http://localhost:" + service.getEnvironment().getProperty("local.server.port");
	}

	/** Creates a model for each tenant through the API; the GETs of them. */
	private static List<HttpLoad.Target> models(String base, List<UUID> tenants, String group) throws Exception {
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		List<HttpLoad.Target> targets = new ArrayList<>(tenants.size());
		for (UUID tenant : tenants) {
			String token = ServiceTestInfrastructure.token(tenant, "USER");
			HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/models"))
				.header("Authorization", "Bearer " + token)
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(MODEL))
				.build(), HttpResponse.BodyHandlers.ofString());
			if (created.statusCode() != 201) {
				throw new IllegalStateException("Creating a model failed: " + created.body());
			}
			String id = JSON.readTree(created.body()).get("id").asString();
			targets.add(new HttpLoad.Target(URI.create(base + "/api/v1/models/" + id), token, group));
		}
		return targets;
	}

	private static List<UUID> randomIds(int count) {
		List<UUID> ids = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			ids.add(UUID.randomUUID());
		}
		return ids;
	}

	/** A free port whose successor is free too (a Kafka node's client and controller). */
	private static int freePortPair() throws IOException {
		for (int attempt = 0; attempt < 50; attempt++) {
			int port;
			try (ServerSocket socket = new ServerSocket(0)) {
				port = socket.getLocalPort();
			}
			if (port < 65535) {
				try (ServerSocket a = new ServerSocket(port); ServerSocket b = new ServerSocket(port + 1)) {
					return port;
				}
				catch (IOException ex) {
					// taken meanwhile: try another
				}
			}
		}
		throw new IOException("No two consecutive free ports");
	}

	private static void deleteTree(Path dir) throws IOException {
		if (!Files.exists(dir)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(dir)) {
			for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.delete(p);
			}
		}
	}

	/**
	 * Samples PostgreSQL's client connections to the service's databases every 250 ms
	 * from a connection of its own (to {@code postgres}, not counted), keeping the most
	 * seen.
	 */
	private static final class ConnectionWatch implements AutoCloseable {

		private final Connection connection;

		private final Predicate<String> counted;

		private final Thread sampler;

		private volatile boolean stopped;

		private volatile int current;

		private volatile int max;

		private volatile String maxWhen = "never";

		private volatile SQLException failure;

		private final long startedAt = System.nanoTime();

		ConnectionWatch(PostgresServer pg, Predicate<String> counted) throws SQLException {
			this.connection = pg.adminConnection("postgres");
			this.counted = counted;
			this.sampler = new Thread(this::sample, "bench-connection-watch");
			this.sampler.setDaemon(true);
			this.sampler.start();
		}

		private void sample() {
			try (Statement st = this.connection.createStatement()) {
				while (!this.stopped) {
					int count = 0;
					try (ResultSet rs = st.executeQuery("select datname, count(*) from pg_stat_activity"
							+ " where backend_type = 'client backend' and pid <> pg_backend_pid()"
							+ " and datname is not null group by datname")) {
						while (rs.next()) {
							if (this.counted.test(rs.getString(1))) {
								count += rs.getInt(2);
							}
						}
					}
					this.current = count;
					if (count > this.max) {
						this.max = count;
						this.maxWhen = String.format(Locale.ROOT, "%.0f s into the run",
								(System.nanoTime() - this.startedAt) / 1e9);
					}
					Thread.sleep(250);
				}
			}
			catch (SQLException ex) {
				if (!this.stopped) {
					this.failure = ex;
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		int current() {
			return this.current;
		}

		/**
		 * @throws IllegalStateException if sampling failed: the most seen would not be
		 * the most open
		 */
		int max() {
			if (this.failure != null) {
				throw new IllegalStateException("Connections were not watched to the end", this.failure);
			}
			return this.max;
		}

		String maxWhen() {
			return this.maxWhen;
		}

		@Override
		public void close() throws Exception {
			this.stopped = true;
			this.sampler.join(2000);
			this.connection.close();
		}

	}

}
