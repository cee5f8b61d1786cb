package io.tierflow.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import io.tierflow.tenancy.TenancyProperties;
import io.tierflow.tenancy.migration.MigrationRollouts;
import io.tierflow.tenancy.migration.PlacementMigrator;
import io.tierflow.tenancy.migration.Rollout;
import io.tierflow.tenancy.migration.RolloutState;
import io.tierflow.tenancy.migration.RolloutStoreState;
import io.tierflow.tenancy.migration.TenantMigrations;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.routing.PlacementPools;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TestPostgres;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Rolls a new tenant migration (a column and an index on {@code simulation_model}, the
 * script under {@code db/fleet-bench}) over a fleet of simulation-service stores:
 * {@code schemas} tenant schemas and {@code databases} tenant databases, provisioned
 * first through the service's own provisioner. The rollout is the one the admin API
 * starts ({@link MigrationRollouts}: a canary, then batches), carried out by an instance
 * of the "next version" made in this JVM beside the running service, which runs the
 * version before and leaves the rollout alone. Reported: the rollout's total time, the
 * p99 and the longest of a store's migration transaction (inside which its locks are
 * taken and held until the commit), and the failed and busy stores. Verified against
 * PostgreSQL's catalogs: every store has the column and the index.
 */
final class FleetMigrateBenchmark {

	private static final String PREFIX = "bench_fleet";

	private final int schemas;

	private final int databases;

	private final int parallelism;

	private final int canary;

	private final int batchSize;

	private final Map<String, String> settings;

	FleetMigrateBenchmark(Map<String, String> options) {
		this.schemas = Bench.intOption(options, "schemas", 10_000);
		this.databases = Bench.intOption(options, "databases", 100);
		this.parallelism = Bench.intOption(options, "parallelism", 4);
		this.canary = Bench.intOption(options, "canary", 10);
		this.batchSize = Bench.intOption(options, "batch-size", 500);
		this.settings = Bench.serviceSettings(options);
		this.settings.put("tierflow.tenancy.migration.parallelism", String.valueOf(this.parallelism));
	}

	String run() throws Exception {
		Bench.say(String.format(Locale.ROOT,
				"fleet-migrate: %d tenant schemas and %d tenant databases, rollout canary %d then batches of %d,"
						+ " %d stores at a time, %d cores",
				this.schemas, this.databases, this.canary, this.batchSize, this.parallelism,
				Runtime.getRuntime().availableProcessors()));
		PostgresServer pg = TestPostgres.get();
		try (ConfigurableApplicationContext service = ServiceUnderBench.start(PREFIX, false, this.settings)) {
			PlacementMigrator current = service.getBean(PlacementMigrator.class);
			awaitStartupRollout(service);
			TenantProvisioner provisioner = service.getBean(TenantProvisioner.class);
			long at = System.nanoTime();
			List<TenantPlacement> schemaTenants = provision(provisioner, Tier.DEDICATED, this.schemas, 8);
			Bench.say(String.format(Locale.ROOT, "  provisioned %d tenant schemas in %.1f s", this.schemas,
					(System.nanoTime() - at) / 1e9));
			at = System.nanoTime();
			List<TenantPlacement> databaseTenants = provision(provisioner, Tier.ENTERPRISE, this.databases, 4);
			Bench.say(String.format(Locale.ROOT, "  provisioned %d tenant databases in %.1f s", this.databases,
					(System.nanoTime() - at) / 1e9));

			TenancyProperties properties = service.getBean(TenancyProperties.class);
			TenantMigrations next = TenantMigrations.load(
					concat(properties.migration().locations(), "classpath:db/fleet-bench"),
					getClass().getClassLoader());
			Bench.say("  the service runs tenant migrations " + current.migrations().latestVersion()
					+ "; the next version " + next.latestVersion() + " adds "
					+ next.scriptNames()
						.stream()
						.filter((n) -> !current.migrations().scriptNames().contains(n))
						.toList());
			TransactionTemplate controlTx = service.getBean("controlTransactionTemplate", TransactionTemplate.class);
			PlacementRepository placements = service.getBean(PlacementRepository.class);
			PlacementMigrator nextMigrator = new PlacementMigrator(service.getBean(PlacementPools.class), placements,
					controlTx, next, properties);
			try (MigrationRollouts rollouts = new MigrationRollouts(
					service.getBean("controlDataSource", DataSource.class), controlTx, placements, nextMigrator,
					properties)) {
				rollouts.start();
				long start = System.nanoTime();
				Rollout rollout = rollouts.start(new Rollout.Plan(this.canary, this.batchSize, 0.01));
				Bench.say(String.format(Locale.ROOT, "  rollout %s: %d stores in %d waves", rollout.id(),
						rollout.stores().total(), rollout.waves()));
				Rollout ended = await(rollouts, rollout.id());
				double seconds = (System.nanoTime() - start) / 1e9;
				Rollout.Stores stores = ended.stores();
				Bench.say(String.format(Locale.ROOT,
						"  rollout %s in %.1f s (%.0f stores/s): %d migrated, %d failed, %d busy, %d gone; a store's"
								+ " migration p99 %d ms, longest %d ms",
						ended.state(), seconds, stores.total() / seconds, stores.migrated(), stores.failed(),
						stores.busy(), stores.gone(), ended.migrationP99Ms(), ended.migrationMaxMs()));
				for (Rollout.Store failed : rollouts.stores(rollout.id(), RolloutStoreState.FAILED, 3, 0)) {
					Bench.say("    failed: " + failed.store() + ": " + failed.error());
				}
				verify(pg, schemaTenants, databaseTenants);
				Bench.say(String.format(Locale.ROOT, "  goal: total <= 300 s %s",
						(seconds <= 300 && ended.state() == RolloutState.COMPLETED) ? "met" : "MISSED"));
				return String.format(Locale.ROOT,
						"RESULT fleet-migrate schemas=%d databases=%d stores=%d total_s=%.1f stores_per_s=%.0f"
								+ " lock_hold_p99_ms=%d lock_hold_max_ms=%d failures=%d busy=%d state=%s",
						this.schemas, this.databases, stores.total(), seconds, stores.total() / seconds,
						ended.migrationP99Ms(), ended.migrationMaxMs(), stores.failed(), stores.busy(), ended.state());
			}
		}
	}

	private static Rollout await(MigrationRollouts rollouts, UUID id) throws InterruptedException {
		long last = System.nanoTime();
		int lastDone = 0;
		while (true) {
			Rollout r = rollouts.find(id).orElseThrow();
			if (r.state() != RolloutState.RUNNING) {
				return r;
			}
			long now = System.nanoTime();
			if (now - last >= 5_000_000_000L) {
				int done = r.stores().migrated() + r.stores().failed() + r.stores().gone();
				Bench.say(String.format(Locale.ROOT,
						"  rollout %.1f%%: wave %s of %d, %d migrated, %d failed, %d busy (%.0f stores/s)",
						r.stores().percentDone(), r.wave(), r.waves(), r.stores().migrated(), r.stores().failed(),
						r.stores().busy(), (done - lastDone) / ((now - last) / 1e9)));
				last = now;
				lastDone = done;
			}
			Thread.sleep(250);
		}
	}

	/**
	 * The service's start-up rollout has brought its shared stores to its version before
	 * tenants are placed (the rollout may not even be recorded yet when the context is
	 * up).
	 */
	static void awaitStartupRollout(ConfigurableApplicationContext service) throws InterruptedException {
		MigrationRollouts own = service.getBean(MigrationRollouts.class);
		PlacementMigrator migrator = service.getBean(PlacementMigrator.class);
		PlacementRepository placements = service.getBean(PlacementRepository.class);
		TransactionTemplate controlTx = service.getBean("controlTransactionTemplate", TransactionTemplate.class);
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (own.recent(1).stream().anyMatch((r) -> r.state().isOpen())
				|| !controlTx.execute((s) -> placements.stores()).stream().allMatch(migrator::isCurrent)) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("The start-up rollout did not end: " + own.recent(1));
			}
			Thread.sleep(100);
		}
	}

	private static List<TenantPlacement> provision(TenantProvisioner provisioner, Tier tier, int count, int threads)
			throws Exception {
		List<UUID> ids = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			ids.add(UUID.randomUUID());
		}
		return provision(provisioner, tier, ids, threads);
	}

	/**
	 * Provisions the tenants through the service's provisioner, {@code threads} at a
	 * time, printing progress every 10 s.
	 * @throws IllegalStateException if one is not READY
	 */
	static List<TenantPlacement> provision(TenantProvisioner provisioner, Tier tier, List<UUID> ids, int threads)
			throws Exception {
		int count = ids.size();
		AtomicInteger done = new AtomicInteger();
		AtomicInteger failed = new AtomicInteger();
		ExecutorService workers = Executors.newFixedThreadPool(threads);
		List<Future<TenantPlacement>> futures = new ArrayList<>();
		try (Progress progress = new Progress("provisioned " + tier, count, done::get, failed::get, 10_000)) {
			for (UUID id : ids) {
				futures.add(workers.submit(() -> {
					TenantPlacement placed = provisioner.provision(id, tier, "eu");
					if (placed.state() != PlacementState.READY) {
						failed.incrementAndGet();
						throw new IllegalStateException("Provisioning failed: " + placed.error());
					}
					done.incrementAndGet();
					return placed;
				}));
			}
			List<TenantPlacement> placed = new ArrayList<>(count);
			for (Future<TenantPlacement> future : futures) {
				placed.add(future.get());
			}
			return placed;
		}
		finally {
			workers.shutdown();
		}
	}

	/**
	 * Counts, in PostgreSQL's catalogs, the stores whose {@code simulation_model} has the
	 * new column and index.
	 */
	private static void verify(PostgresServer pg, List<TenantPlacement> schemaTenants,
			List<TenantPlacement> databaseTenants) throws SQLException {
		long schemas;
		try (Connection con = pg.adminConnection(PREFIX + "_dedicated"); Statement st = con.createStatement()) {
			schemas = count(st, "select count(*) from pg_attribute a join pg_class c on c.oid = a.attrelid"
					+ " where c.relname = 'simulation_model' and a.attname = 'fleet_note' and not a.attisdropped");
			long indexes = count(st, "select count(*) from pg_class where relname = 'simulation_model_fleet_note'");
			if (indexes != schemas) {
				throw new IllegalStateException(schemas + " schemas have the column but " + indexes + " the index");
			}
		}
		long databases = 0;
		for (TenantPlacement p : databaseTenants) {
			try (Connection con = pg.adminConnection(p.database()); Statement st = con.createStatement()) {
				databases += count(st,
						"select count(*) from pg_attribute a join pg_class c on c.oid = a.attrelid"
								+ " where c.relname = 'simulation_model' and a.attname = 'fleet_note'"
								+ " and not a.attisdropped and exists (select 1 from pg_class"
								+ " where relname = 'simulation_model_fleet_note')");
			}
		}
		Bench.say(
				String.format(Locale.ROOT,
						"  verified in the catalogs: %d of %d tenant schemas and %d of %d tenant databases have the new"
								+ " column and index",
						schemas, schemaTenants.size(), databases, databaseTenants.size()));
		if (schemas < schemaTenants.size() || databases != databaseTenants.size()) {
			throw new IllegalStateException("Stores without the new column or index");
		}
	}

	private static long count(Statement st, String sql) throws SQLException {
		try (ResultSet rs = st.executeQuery(sql)) {
			rs.next();
			return rs.getLong(1);
		}
	}

	private static List<String> concat(List<String> list, String item) {
		List<String> all = new ArrayList<>(list);
		all.add(item);
		return all;
	}

}
