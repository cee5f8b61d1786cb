package io.tierflow.tenancy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.tierflow.tenancy.TenancyTestApplication.NoteRepository;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.migration.MigrationReport;
import io.tierflow.tenancy.migration.PlacementMigrator;
import io.tierflow.tenancy.migration.TenantMigrations;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.PlacementStore;
import io.tierflow.tenancy.placement.StoreNames;
import io.tierflow.tenancy.placement.TenantNotReadyException;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.routing.PlacementDirectory;
import io.tierflow.tenancy.routing.PlacementPools;
import io.tierflow.testsupport.TestPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@SpringBootTest(classes = TenancyTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = { "tierflow.tenancy.pools.max-open-database-pools=2", "tierflow.tenancy.migration.parallelism=3",
				"tierflow.tenancy.migration.lock-timeout=300ms" })
class PlacementMigratorIT {

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TenancyTestProperties.register(registry, "migr");
	}

	@Autowired
	TenantProvisioner provisioner;

	@Autowired
	PlacementMigrator migrator;

	@Autowired
	PlacementDirectory directory;

	@Autowired
	PlacementPools pools;

	@Autowired
	NoteRepository notes;

	@Autowired
	PlacementRepository placements;

	@Autowired
	@Qualifier(TenancyAutoConfiguration.CONTROL)
	org.springframework.transaction.support.TransactionTemplate controlTx;

	@Autowired
	TenancyProperties properties;

	@Autowired
	@Qualifier(TenancyAutoConfiguration.CONTROL)
	JdbcClient control;

	@Test
	void currentStoresAreSkippedWithoutOpeningFlywayOnThem() throws Exception {
		List<TenantPlacement> placed = provision(Tier.DEDICATED, 3);

		MigrationReport report = this.migrator.migrateAll();

		// Only stores another test broke on purpose may fail; these three were never
		// touched.
		assertThat(report.failures()).noneMatch((f) -> placed.stream().anyMatch((p) -> p.store().equals(f.store())));
		assertThat(report.migrated()).isZero();
		assertThat(report.skipped()).isGreaterThanOrEqualTo(3);
		// Flyway, opened on a store, would have given it a history.
		for (TenantPlacement p : placed) {
			assertThat(hasHistory(p)).isFalse();
		}
	}

	@Test
	void aNewStoreIsMadeAtTheLatestVersionAndBaselinedThereByItsFirstMigration() throws Exception {
		TenantPlacement placed = provision(Tier.DEDICATED, 1).get(0);
		// Made in one transaction, without Flyway: no history until a migration needs it.
		assertThat(hasHistory(placed)).isFalse();
		// Every table with a tenant_id is under row-level security, made in the same
		// transaction as the table.
		assertThat(query("select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
				+ " join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id'" + " where n.nspname = '"
				+ placed.schema() + "' and c.relkind = 'r' and not c.relrowsecurity"))
			.isZero();
		TenantContext.run(placed.tenantId(), () -> this.notes.add("made at the latest version"));

		// A newer platform revision: the store is behind, and Flyway, opened on it for
		// the first time, starts its history at the version it was made at and finds
		// nothing to run.
		behind(placed);
		MigrationReport report = this.migrator.migrateAll();

		assertThat(report.failures()).noneMatch((f) -> f.store().equals(placed.store()));
		Flyway flyway = Flyway.configure()
			.dataSource(this.pools.owner(placed.cluster(), placed.database()))
			.schemas(placed.schema())
			.resourceProvider(this.migrator.migrations())
			.javaMigrationClassProvider(List::of)
			.outOfOrder(true)
			.load();
		assertThat(flyway.info().pending()).isEmpty();
		assertThat(flyway.validateWithResult().validationSuccessful).isTrue();
		assertThat(flyway.info().applied()).singleElement()
			.satisfies((baseline) -> assertThat(baseline.getVersion().getVersion())
				.isEqualTo(PlacementMigrator.scriptVersion(this.migrator.migrations().latestVersion())));
		TenantContext.run(placed.tenantId(),
				() -> assertThat(this.notes.everything()).containsExactly("made at the latest version"));
	}

	@Test
	void aStoreMadeAtTheLatestVersionTakesLaterVersionsFromFlyway() throws Exception {
		TenantPlacement placed = provision(Tier.DEDICATED, 1).get(0);
		TenantContext.run(placed.tenantId(), () -> this.notes.add("before version 2"));
		PlacementMigrator v2 = new PlacementMigrator(
				this.pools, this.placements, this.controlTx, TenantMigrations
					.load(List.of("classpath:db/tenant", "classpath:db/rollout"), getClass().getClassLoader()),
				this.properties);
		PlacementStore store = this.controlTx.execute((s) -> this.placements.findStore(placed.store())).orElseThrow();

		assertThat(v2.migrate(store)).isTrue();

		assertThat(query("select count(*) from information_schema.columns where table_schema = '" + placed.schema()
				+ "' and table_name = 'notes' and column_name = 'tag'"))
			.isOne();
		assertThat(query("select string_agg(version || ':' || type, ',' order by installed_rank) from "
				+ placed.schema() + ".flyway_schema_history", String.class))
			.isEqualTo(PlacementMigrator.scriptVersion(this.migrator.migrations().latestVersion()) + ":BASELINE,2:SQL");
		assertThat(this.control.sql("select schema_version from tenant_store where schema_name = ?")
			.param(placed.schema())
			.query(String.class)
			.single()).isEqualTo(v2.migrations().latestVersion());
	}

	@Test
	void aSchemaLeftHalfMadeByADeadAttemptIsMadeAnew() throws Exception {
		UUID tenantId = UUID.randomUUID();
		String schema = StoreNames.tenantSchema(tenantId);
		// What an attempt that died between its commit and the control tables' record
		// leaves.
		exec("create schema " + schema + "; create table " + schema + ".leftover (id int)");

		TenantPlacement placed = this.provisioner.provision(tenantId, Tier.DEDICATED, "eu");

		assertThat(placed.state()).as(String.valueOf(placed.error())).isEqualTo(PlacementState.READY);
		assertThat(
				query("select count(*) from pg_tables where schemaname = '" + schema + "' and tablename = 'leftover'"))
			.isZero();
		TenantContext.run(tenantId, () -> this.notes.add("anew"));
		TenantContext.run(tenantId, () -> assertThat(this.notes.everything()).containsExactly("anew"));
	}

	@Test
	void aBusyStoresLockTimesOutWithoutStallingTheOthers(@TempDir Path scripts) throws Exception {
		List<TenantPlacement> placed = provision(Tier.DEDICATED, 3);
		TenantPlacement busy = placed.get(1);
		// Every store is behind by a platform revision that alters its table (its
		// row-level security, set up again by the pass).
		for (TenantPlacement p : placed) {
			exec("drop policy tenant_isolation on " + p.schema() + ".notes; alter table " + p.schema()
					+ ".notes disable row level security");
			behind(p);
		}
		// A transaction of the busy tenant reads its table and stays open: the
		// migration's ALTER TABLE must wait for it.
		try (Connection holder = TestPostgres.get().adminConnection("migr_dedicated")) {
			holder.setAutoCommit(false);
			try (Statement st = holder.createStatement()) {
				st.execute("select count(*) from " + busy.schema() + ".notes");
				MigrationReport report = this.migrator.migrateAll();

				assertThat(report.failures()).singleElement().satisfies((failure) -> {
					assertThat(failure.store()).isEqualTo(busy.store());
					assertThat(failure.lockTimedOut()).isTrue();
					assertThat(failure.reason()).contains("still busy after 3 tries");
				});
				assertThat(report.failures()).extracting(MigrationReport.Failure::store)
					.doesNotContain(placed.get(0).store(), placed.get(2).store());
			}
			// Still serving at its version, with the reason recorded.
			assertThat(this.control
				.sql("select state || ' ' || schema_version || ' ' || coalesce(error, '')"
						+ " from tenant_store where schema_name = ?")
				.param(busy.schema())
				.query(String.class)
				.single()).startsWith(PlacementState.READY.name() + " " + behindVersion() + " ")
				.containsIgnoringCase("lock timeout");
			holder.rollback();
		}
		// The next pass, once the tenant's transaction is over, migrates it.
		MigrationReport next = this.migrator.migrateAll();
		assertThat(next.failures()).noneMatch((f) -> f.store().equals(busy.store()));
		assertThat(this.control.sql("select schema_version from tenant_store where schema_name = ?")
			.param(busy.schema())
			.query(String.class)
			.single()).isEqualTo(this.migrator.migrations().latestVersion());
		assertThat(query("select count(*) from pg_class where relname = 'notes' and relrowsecurity"
				+ " and relnamespace = '" + busy.schema() + "'::regnamespace"))
			.isOne();
		TenantContext.run(busy.tenantId(), () -> assertThat(this.notes.everything()).isEmpty());
	}

	@Test
	void aStoreMigratedFromSeveralThreadsAtOnceIsSecuredOnceWithoutAConflict() throws Exception {
		TenantPlacement placed = provision(Tier.DEDICATED, 1).get(0);
		List<java.util.concurrent.Future<?>> passes = new ArrayList<>();
		// A migrator each, as in four instances: one migrator lets one of its callers
		// migrate a store at a time.
		List<PlacementMigrator> instances = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			instances.add(new PlacementMigrator(this.pools, this.placements, this.controlTx, this.migrator.migrations(),
					this.properties));
		}
		java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(4);
		try {
			for (int round = 0; round < 5; round++) {
				// Behind again: every thread runs Flyway and the securing DO block on it.
				this.control.sql("update tenant_store set schema_version = ? where schema_name = ?")
					.params(behindVersion(), placed.schema())
					.update();
				java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
				for (int i = 0; i < 4; i++) {
					PlacementMigrator instance = instances.get(i);
					passes.add(threads.submit(() -> {
						go.await();
						PlacementStore store = this.control
							.sql("select cluster, database_name, schema_name, isolation, schema_version, state, error"
									+ " from tenant_store where schema_name = ?")
							.param(placed.schema())
							.query((rs, n) -> new PlacementStore(
									new io.tierflow.tenancy.placement.StoreKey(rs.getString(1), rs.getString(2),
											rs.getString(3)),
									io.tierflow.tenancy.placement.IsolationMode.valueOf(rs.getString(4)),
									rs.getString(5), PlacementState.valueOf(rs.getString(6)), rs.getString(7)))
							.single();
						instance.migrate(store);
						return null;
					}));
				}
				go.countDown();
				for (java.util.concurrent.Future<?> pass : passes) {
					pass.get();
				}
				passes.clear();
			}
		}
		finally {
			threads.shutdownNow();
		}
		assertThat(this.control.sql("select state || ' ' || schema_version from tenant_store where schema_name = ?")
			.param(placed.schema())
			.query(String.class)
			.single()).isEqualTo("READY " + this.migrator.migrations().latestVersion());
	}

	@Test
	void aFailingStoreIsReportedWithItsReasonAndTheOthersMigrate() throws Exception {
		List<TenantPlacement> placed = provision(Tier.DEDICATED, 3);
		TenantPlacement broken = placed.get(1);
		// All three are behind (a new platform revision shipped); one of them cannot
		// migrate: its history is unreadable.
		for (TenantPlacement p : placed) {
			behind(p);
		}
		exec("create table " + broken.schema() + ".flyway_schema_history (broken int)");

		MigrationReport report = this.migrator.migrateAll();

		assertThat(report.failures()).singleElement().satisfies((failure) -> {
			assertThat(failure.store()).isEqualTo(broken.store());
			assertThat(failure.reason()).containsIgnoringCase("does not exist");
		});
		// (Stores other tests left behind may be migrated too.)
		assertThat(report.migrated()).isGreaterThanOrEqualTo(2);
		for (TenantPlacement migrated : List.of(placed.get(0), placed.get(2))) {
			assertThat(this.control.sql("select schema_version from tenant_store where schema_name = ?")
				.param(migrated.schema())
				.query(String.class)
				.single()).isEqualTo(this.migrator.migrations().latestVersion());
		}
		assertThat(this.control.sql("select state from tenant_store where schema_name = ?")
			.param(broken.schema())
			.query(String.class)
			.single()).isEqualTo(PlacementState.FAILED.name());
		TenantContext.run(broken.tenantId(),
				() -> assertThatThrownBy(this.notes::everything).isInstanceOf(TenantNotReadyException.class));
		TenantContext.run(placed.get(0).tenantId(), () -> assertThat(this.notes.everything()).isEmpty());
	}

	@Test
	void tenantDatabasePoolsStayBoundedAndIdleOnesClose() {
		List<TenantPlacement> placed = provision(Tier.ENTERPRISE, 4);
		for (TenantPlacement p : placed) {
			TenantContext.run(p.tenantId(), () -> this.notes.add("hello"));
		}
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.pools.openDatabasePools()).isLessThanOrEqualTo(2));
		for (TenantPlacement p : placed) {
			TenantContext.run(p.tenantId(), () -> assertThat(this.notes.everything()).containsExactly("hello"));
		}
	}

	private List<TenantPlacement> provision(Tier tier, int n) {
		List<TenantPlacement> placed = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			TenantPlacement p = this.provisioner.provision(UUID.randomUUID(), tier, "eu");
			assertThat(p.state()).as(String.valueOf(p.error())).isEqualTo(PlacementState.READY);
			placed.add(p);
		}
		return placed;
	}

	/** Records the store as made by an older platform revision: behind. */
	private void behind(TenantPlacement p) {
		this.control.sql("update tenant_store set schema_version = ? where schema_name = ?")
			.params(behindVersion(), p.schema())
			.update();
		this.directory.evict(p.tenantId());
	}

	/** The latest script version, made by platform revision 0. */
	private String behindVersion() {
		return PlacementMigrator.scriptVersion(this.migrator.migrations().latestVersion()) + "+p0";
	}

	private boolean hasHistory(TenantPlacement p) throws Exception {
		return query("select count(*) from pg_tables where schemaname = '" + p.schema()
				+ "' and tablename = 'flyway_schema_history'") > 0;
	}

	private static <T> T query(String sql, Class<T> type) throws Exception {
		try (Connection con = TestPostgres.get().adminConnection("migr_dedicated");
				Statement st = con.createStatement();
				ResultSet rs = st.executeQuery(sql)) {
			rs.next();
			return rs.getObject(1, type);
		}
	}

	private static long query(String sql) throws Exception {
		try (Connection con = TestPostgres.get().adminConnection("migr_dedicated");
				Statement st = con.createStatement();
				ResultSet rs = st.executeQuery(sql)) {
			rs.next();
			return rs.getLong(1);
		}
	}

	private static void exec(String sql) throws Exception {
		try (Connection con = TestPostgres.get().adminConnection("migr_dedicated");
				Statement st = con.createStatement()) {
			st.execute(sql);
		}
	}

}
