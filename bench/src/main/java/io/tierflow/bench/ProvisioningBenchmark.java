package io.tierflow.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.migration.MigrationReport;
import io.tierflow.tenancy.migration.PlacementMigrator;
import io.tierflow.tenancy.migration.TenantMigrations;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.StoreNames;
import io.tierflow.tenancy.placement.StoreProbe;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TestKafka;
import io.tierflow.testsupport.TestPostgres;
import org.flywaydb.core.Flyway;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.awaitility.Awaitility.await;

/**
 * Provisions many DEDICATED (SCHEMA) tenants in one simulation-service through
 * {@link TenantProvisioner#provision}, {@code parallelism} at a time, then times a
 * migration pass over all stores that finds nothing to do, and checks the outcome in the
 * control tables and in PostgreSQL's catalog.
 */
final class ProvisioningBenchmark {

	private static final String PREFIX = "bench_prov";

	private final int tenants;

	/** Steps of provisioning one tenant, outermost first, for the profile. */
	private static final List<WallClockProfile.Step> PROVISION_STEPS = List.of(
			WallClockProfile.Step.of("provision: other", "TenantProvisioner.provision"),
			WallClockProfile.Step.of("control: commit (any control tx)", "AbstractPlatformTransactionManager.commit"),
			WallClockProfile.Step.of("control: decide placement (lock, insert)", "TenantProvisioner.decide"),
			WallClockProfile.Step.of("control: read store", "PlacementRepository.findStore"),
			WallClockProfile.Step.of("control: mark READY + outbox reply", "PlacementRepository.updateState",
					"ProvisioningReplies.placementReady"),
			WallClockProfile.Step.of("control: store migrated", "PlacementRepository.storeMigrated"),
			WallClockProfile.Step.of("flyway: configure + load", "FluentConfiguration.load", "Flyway.<init>"),
			WallClockProfile.Step.of("flyway: migrate, other", "Flyway.migrate"),
			WallClockProfile.Step.of("flyway: connect, detect database", "JdbcConnectionFactory.<init>",
					"DatabaseTypeRegister"),
			WallClockProfile.Step.of("flyway: create schema", "DbSchemas.create"),
			WallClockProfile.Step.of("flyway: create history table", "JdbcTableSchemaHistory.create"),
			WallClockProfile.Step.of("flyway: resolve migrations", "MigrationInfoServiceImpl.refresh",
					"CompositeMigrationResolver"),
			WallClockProfile.Step.of("flyway: validate", "DbValidate.validate"),
			WallClockProfile.Step.of("flyway: apply migrations, other", "DbMigrate.migrate"),
			WallClockProfile.Step.of("flyway: run migration SQL", "SqlMigrationExecutor.execute"),
			WallClockProfile.Step.of("flyway: parse migration SQL", "org.flywaydb.core.internal.parser."),
			WallClockProfile.Step.of("flyway: write history row", "JdbcTableSchemaHistory.doAddAppliedMigration"),
			WallClockProfile.Step.of("RLS + grants DO block (secure)", "PlacementMigrator.secure"));

	private static final List<WallClockProfile.Step> RELAY_STEPS = List.of(
			WallClockProfile.Step.of("relay: drain an outbox", "OutboxRelay.drain"),
			WallClockProfile.Step.of("relay: list stores for the sweep", "PlacementRepository.stores"));

	private final int parallelism;

	private final boolean profile;

	private final Map<String, String> settings;

	ProvisioningBenchmark(Map<String, String> options) {
		this.tenants = Bench.intOption(options, "tenants", 1000);
		this.parallelism = Bench.intOption(options, "parallelism", 8);
		this.profile = Boolean.parseBoolean(options.getOrDefault("profile", "false"));
		this.settings = Bench.serviceSettings(options);
		this.settings.put("tierflow.tenancy.migration.parallelism", String.valueOf(this.parallelism));
	}

	String run() throws Exception {
		Bench.say("provisioning: " + this.tenants + " DEDICATED tenants, parallelism " + this.parallelism + ", "
				+ Runtime.getRuntime().availableProcessors() + " cores");
		PostgresServer pg = TestPostgres.get();
		Bench.say("  PostgreSQL " + pg + ", Kafka " + TestKafka.get().bootstrapServers());
		long bootAt = System.nanoTime();
		if (!this.settings.isEmpty()) {
			Bench.say("  service settings: " + this.settings);
		}
		try (ConfigurableApplicationContext service = ServiceUnderBench.start(PREFIX, false, this.settings)) {
			PlacementMigrator migrator = service.getBean(PlacementMigrator.class);
			awaitStartupPass(service, migrator);
			Bench.say(String.format(Locale.ROOT, "  simulation-service up in %.1f s (tenant migrations %s: %s)",
					(System.nanoTime() - bootAt) / 1e9, migrator.migrations().latestVersion(),
					migrator.migrations().scriptNames()));

			List<UUID> ids = new ArrayList<>();
			for (int i = 0; i < this.tenants; i++) {
				ids.add(UUID.randomUUID());
			}
			StatementProfile statements = this.profile ? StatementProfile.start(pg) : null;
			Timed provisioned = provision(service.getBean(TenantProvisioner.class), ids);
			if (statements != null) {
				Bench.say("  where PostgreSQL's time went while provisioning (statement log):");
				statements.stop().forEach(Bench::say);
			}
			Bench.say(String.format(Locale.ROOT,
					"  provisioned %d tenants in %.2f s (%.1f/s); per tenant p50 %.0f ms, p95 %.0f ms, max %.0f ms",
					this.tenants, provisioned.seconds, this.tenants / provisioned.seconds,
					provisioned.percentileMillis(50), provisioned.percentileMillis(95),
					provisioned.percentileMillis(100)));

			if (this.profile) {
				measureFlywayConstruction(migrator.migrations());
				CpuShares idle = CpuShares.start(PREFIX + "_dedicated");
				Thread.sleep(5000);
				Bench.say("  idle service with " + (this.tenants + 1) + " stores for 5 s (the outbox relay's sweeps): "
						+ idle.report());
			}
			long noopAt = System.nanoTime();
			MigrationReport pass = migrator.migrateAll();
			double noopSeconds = (System.nanoTime() - noopAt) / 1e9;
			Bench.say(String.format(Locale.ROOT,
					"  no-op migration pass: %d stores, %d migrated, %d skipped, " + "%d failed in %.3f s",
					pass.total(), pass.migrated(), pass.skipped(), pass.failures().size(), noopSeconds));
			if (pass.migrated() != 0 || !pass.failures().isEmpty() || pass.skipped() != pass.total()) {
				throw new IllegalStateException("The pass after provisioning was not a no-op: " + pass);
			}

			verify(pg, ids, migrator.migrations().latestVersion());
			idleSweep(service, ids);
			String result = String.format(Locale.ROOT,
					"RESULT provisioning tenants=%d provision_s=%.2f noop_migrate_s=%.3f", this.tenants,
					provisioned.seconds, noopSeconds);
			Bench.say(String.format(Locale.ROOT, "  goals: provision <= 30 s %s, no-op <= 5 s %s",
					(provisioned.seconds <= 30) ? "met" : "MISSED", (noopSeconds <= 5) ? "met" : "MISSED"));
			return result;
		}
	}

	/**
	 * What simulation-service's stale-run sweep costs when there is nothing to find, over
	 * the provisioned tenants: the store probe it uses against what it did before, a
	 * write transaction per tenant running the sweep's locking query.
	 */
	private void idleSweep(ConfigurableApplicationContext service, List<UUID> ids) {
		String stale = "status in ('QUEUED', 'RUNNING') and coalesce(heartbeat_at, created_at)"
				+ " < now() - interval '60 seconds'";
		StoreProbe probe = service.getBean(StoreProbe.class);
		double[] probeMillis = new double[3];
		for (int i = 0; i < probeMillis.length; i++) {
			long at = System.nanoTime();
			int found = probe.tenantsWith("simulation_run", stale).size();
			probeMillis[i] = (System.nanoTime() - at) / 1e6;
			if (found != 0) {
				throw new IllegalStateException(
						"The probe found " + found + " tenants with stale runs; there are none");
			}
		}
		TransactionTemplate tx = new TransactionTemplate(service.getBean(PlatformTransactionManager.class));
		JdbcClient jdbc = service.getBean(JdbcClient.class);
		long at = System.nanoTime();
		for (UUID id : ids) {
			TenantContext.run(id, () -> tx.execute((s) -> jdbc
				.sql("select id from simulation_run where " + stale + " order by id for update skip locked limit 100")
				.query()
				.listOfRows()));
		}
		double perTenantMillis = (System.nanoTime() - at) / 1e6;
		Arrays.sort(probeMillis);
		Bench.say(String.format(Locale.ROOT,
				"  idle stale-run sweep over %d tenants: store probe %.1f ms (median of 3, the slowest %.1f ms);"
						+ " a transaction per tenant %.0f ms (%.0fx)",
				ids.size(), probeMillis[1], probeMillis[2], perTenantMillis, perTenantMillis / probeMillis[1]));
	}

	/**
	 * The service's start-up pass migrates the shared store in the background; provision
	 * only once it is done, so it is not timed with the tenants.
	 */
	private static void awaitStartupPass(ConfigurableApplicationContext service, PlacementMigrator migrator) {
		PlacementRepository placements = service.getBean(PlacementRepository.class);
		TransactionTemplate control = service.getBean("controlTransactionTemplate", TransactionTemplate.class);
		await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> control.execute((s) -> placements.stores()).stream().allMatch(migrator::isCurrent));
	}

	private Timed provision(TenantProvisioner provisioner, List<UUID> ids) throws Exception {
		AtomicInteger done = new AtomicInteger();
		AtomicInteger failed = new AtomicInteger();
		ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
		long[] millis = new long[ids.size()];
		AtomicInteger threadNumber = new AtomicInteger();
		ExecutorService workers = Executors.newFixedThreadPool(this.parallelism,
				(r) -> new Thread(r, "bench-provision-" + threadNumber.incrementAndGet()));
		List<Future<?>> futures = new ArrayList<>();
		CpuShares cpu = CpuShares.start(PREFIX + "_dedicated");
		WallClockProfile workerProfile = this.profile
				? new WallClockProfile((t) -> t.getName().startsWith("bench-provision-"), PROVISION_STEPS, 20) : null;
		WallClockProfile relayProfile = this.profile
				? new WallClockProfile((t) -> t.getName().equals("tierflow-outbox-relay"), RELAY_STEPS, 20) : null;
		long start = System.nanoTime();
		double seconds;
		try (Progress progress = new Progress("provisioned", ids.size(), done::get, failed::get, 2000)) {
			for (int i = 0; i < ids.size(); i++) {
				int n = i;
				futures.add(workers.submit(() -> {
					long t0 = System.nanoTime();
					TenantPlacement placement = provisioner.provision(ids.get(n), Tier.DEDICATED, "eu");
					millis[n] = (System.nanoTime() - t0) / 1_000_000;
					if (placement.state() != PlacementState.READY) {
						failed.incrementAndGet();
						errors.add(ids.get(n) + ": " + placement.error());
					}
					done.incrementAndGet();
				}));
			}
			for (Future<?> future : futures) {
				future.get();
			}
			seconds = (System.nanoTime() - start) / 1e9;
			// Before the pool ends: its threads' CPU is reported only while they live.
			report(cpu, workerProfile, relayProfile);
		}
		finally {
			workers.shutdown();
		}
		if (failed.get() > 0) {
			throw new IllegalStateException(failed.get() + " tenants failed to provision, e.g. " + errors.peek());
		}
		return new Timed(seconds, millis);
	}

	private static void report(CpuShares cpu, WallClockProfile workerProfile, WallClockProfile relayProfile) {
		Bench.say("  " + cpu.report());
		Bench.say("  this JVM's CPU while provisioning:");
		cpu.jvmThreads(10).forEach(Bench::say);
		if (workerProfile != null) {
			workerProfile.close();
			relayProfile.close();
			Bench.say("  where the provisioning threads' time went (wall-clock samples every 20 ms):");
			workerProfile.report(15).forEach(Bench::say);
			Bench.say("  outbox relay threads (2), same sampling:");
			relayProfile.report(0).forEach(Bench::say);
		}
	}

	/**
	 * Counts, outside the service, what it recorded: READY placements whose stores are
	 * READY at the latest version in the control database, and the tenant schemas (with
	 * their tables) in the dedicated cluster's catalog.
	 */
	private void verify(PostgresServer pg, List<UUID> ids, String latestVersion) throws SQLException {
		String[] schemas = ids.stream().map(StoreNames::tenantSchema).toArray(String[]::new);
		long ready;
		long storesReady;
		try (Connection con = pg.adminConnection(PREFIX + "_control")) {
			ready = count(con,
					"select count(*) from tierflow.tenant_placement where state = 'READY'"
							+ " and isolation = 'SCHEMA' and tier = 'DEDICATED' and tenant_id = any(?)",
					con.createArrayOf("uuid", ids.toArray()));
			storesReady = count(con,
					"select count(*) from tierflow.tenant_store where state = 'READY' and schema_version = '"
							+ latestVersion + "' and schema_name = any(?)",
					con.createArrayOf("text", schemas));
		}
		long namespaces;
		long modelTables;
		try (Connection con = pg.adminConnection(PREFIX + "_dedicated")) {
			namespaces = count(con, "select count(*) from pg_namespace where nspname = any(?)",
					con.createArrayOf("text", schemas));
			modelTables = count(con,
					"select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
							+ " where c.relname = 'simulation_model' and c.relrowsecurity and n.nspname = any(?)",
					con.createArrayOf("text", schemas));
		}
		Bench.say(String.format(Locale.ROOT,
				"  verified: %d READY placements, %d READY stores at %s (control tables); %d schemas in"
						+ " pg_namespace, %d with simulation_model under RLS",
				ready, storesReady, latestVersion, namespaces, modelTables));
		long expected = ids.size();
		if (ready != expected || storesReady != expected || namespaces != expected || modelTables != expected) {
			throw new IllegalStateException("Expected " + expected + " of each, found placements=" + ready + " stores="
					+ storesReady + " schemas=" + namespaces + " tables=" + modelTables);
		}
	}

	/**
	 * The JVM cost of building the Flyway instance that {@link PlacementMigrator#migrate}
	 * builds for every store (same configuration calls), without touching a database.
	 */
	private static void measureFlywayConstruction(TenantMigrations migrations) {
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		DataSource unused = new SimpleDriverDataSource();
		int builds = 200;
		long cpu = 0;
		long wall = 0;
		for (int round = 0; round < 2; round++) { // the first round warms up
			long cpuAt = threads.getCurrentThreadCpuTime();
			long wallAt = System.nanoTime();
			for (int i = 0; i < builds; i++) {
				String schema = "t_" + i;
				Flyway.configure(ProvisioningBenchmark.class.getClassLoader())
					.dataSource(unused)
					.schemas(schema)
					.defaultSchema(schema)
					.createSchemas(true)
					.resourceProvider(migrations)
					.javaMigrationClassProvider(Collections::emptyList)
					.skipDefaultCallbacks(true)
					.placeholderReplacement(false)
					.load();
			}
			cpu = threads.getCurrentThreadCpuTime() - cpuAt;
			wall = System.nanoTime() - wallAt;
		}
		Bench.say(String.format(Locale.ROOT,
				"  building one store's Flyway instance (configure()...load(), as PlacementMigrator does, no database):"
						+ " %.1f ms CPU, %.1f ms wall, mean of %d after %d warm-up builds",
				cpu / 1e6 / builds, wall / 1e6 / builds, builds, builds));
	}

	private static long count(Connection con, String sql, Array parameter) throws SQLException {
		try (PreparedStatement ps = con.prepareStatement(sql)) {
			ps.setArray(1, parameter);
			try (ResultSet rs = ps.executeQuery()) {
				rs.next();
				return rs.getLong(1);
			}
		}
	}

	private record Timed(double seconds, long[] millis) {

		double percentileMillis(int percentile) {
			long[] sorted = this.millis.clone();
			Arrays.sort(sorted);
			int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
			return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
		}

	}

}
