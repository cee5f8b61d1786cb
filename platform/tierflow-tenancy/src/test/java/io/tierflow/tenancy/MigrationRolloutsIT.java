package io.tierflow.tenancy;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import io.tierflow.tenancy.TenancyTestApplication.NoteRepository;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.migration.MigrationRollouts;
import io.tierflow.tenancy.migration.PlacementMigrator;
import io.tierflow.tenancy.migration.Rollout;
import io.tierflow.tenancy.migration.RolloutConflictException;
import io.tierflow.tenancy.migration.RolloutState;
import io.tierflow.tenancy.migration.RolloutStoreState;
import io.tierflow.tenancy.migration.TenantMigrations;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.routing.PlacementPools;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Rollouts of a new tenant migration in waves. The service runs version 1 of the test's
 * tenant migrations; each test makes the instances of a "version 2" deploy (the same
 * migrations and {@code db/rollout}'s V2), which the service's own instance, at version
 * 1, leaves alone.
 */
@SpringBootTest(classes = TenancyTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = { "tierflow.tenancy.migration.parallelism=1", "tierflow.tenancy.migration.lock-timeout=20s",
				"tierflow.tenancy.migration.rollout.poll=200ms" })
class MigrationRolloutsIT {

	private static final String LOCK = "tierflow.rollout.roll";

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TenancyTestProperties.register(registry, "roll");
	}

	@Autowired
	TenantProvisioner provisioner;

	@Autowired
	PlacementPools pools;

	@Autowired
	PlacementRepository placements;

	@Autowired
	TenancyProperties properties;

	@Autowired
	MigrationRollouts serviceRollouts;

	@Autowired
	NoteRepository notes;

	@Autowired
	@Qualifier(TenancyAutoConfiguration.CONTROL)
	DataSource controlDataSource;

	@Autowired
	@Qualifier(TenancyAutoConfiguration.CONTROL)
	TransactionTemplate controlTx;

	@Autowired
	@Qualifier(TenancyAutoConfiguration.CONTROL)
	JdbcClient control;

	private final List<MigrationRollouts> instances = new ArrayList<>();

	private PlacementMigrator v2;

	@BeforeEach
	void versionTwo() {
		// The start-up rollout of version 1 (the shared stores) is over before the tests
		// roll version 2.
		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.control
				.sql("select count(*) from migration_rollout where state in ('RUNNING', 'PAUSED', 'HALTED')")
				.query(Integer.class)
				.single() == 0);
		TenantMigrations migrations = TenantMigrations.load(List.of("classpath:db/tenant", "classpath:db/rollout"),
				getClass().getClassLoader());
		this.v2 = new PlacementMigrator(this.pools, this.placements, this.controlTx, migrations, this.properties);
	}

	@AfterEach
	void stopInstances() {
		this.instances.forEach(MigrationRollouts::close);
	}

	@Test
	void aRolloutThatFailsOnItsCanaryHaltsThereAndResumesAfterARestart() throws Exception {
		List<TenantPlacement> placed = provision(5);
		TenantPlacement broken = placed.get(0);
		// The oldest store behind, so in the canary: version 2 cannot add its column.
		exec("alter table " + broken.schema() + ".notes add column tag text");
		MigrationRollouts first = instance();

		Rollout rollout = first.start(new Rollout.Plan(2, 2, 0.2));

		assertThat(rollout.waves()).isGreaterThanOrEqualTo(3);
		Rollout halted = await().atMost(Duration.ofSeconds(60))
			.until(() -> first.find(rollout.id()).orElseThrow(), (r) -> r.state() == RolloutState.HALTED);
		assertThat(halted.reason()).contains("1 of 2 stores tried failed");
		assertThat(halted.stores().failed()).isOne();
		assertThat(halted.stores().migrated()).isOne();
		assertThat(first.stores(rollout.id(), RolloutStoreState.FAILED, 10, 0)).singleElement().satisfies((s) -> {
			assertThat(s.store()).isEqualTo(broken.store().toString());
			assertThat(s.wave()).isZero();
			assertThat(s.error()).contains("tag");
		});
		// Nothing past the canary was touched: not the shared stores, not the later
		// batches.
		assertThat(first.stores(rollout.id(), RolloutStoreState.PENDING, 1000, 0)).isNotEmpty()
			.allSatisfy((s) -> assertThat(s.wave()).isPositive());
		for (TenantPlacement p : placed.subList(2, placed.size())) {
			assertThat(version(p)).isEqualTo(currentVersion());
		}
		assertThat(columns(placed.get(4), "tag")).isZero();

		// A restart does not carry a halted rollout on by itself.
		first.close();
		MigrationRollouts restarted = instance();
		restarted.start();
		await().during(Duration.ofSeconds(1))
			.atMost(Duration.ofSeconds(5))
			.until(() -> restarted.find(rollout.id()).orElseThrow().state() == RolloutState.HALTED);
		assertThatThrownBy(() -> restarted.start(Rollout.Plan.DEFAULTS)).isInstanceOf(RolloutConflictException.class)
			.hasMessageContaining("is open");

		// The cause is fixed and an operator resumes it: the failed store is tried again.
		exec("alter table " + broken.schema() + ".notes drop column tag");
		restarted.resume(rollout.id());

		Rollout done = await().atMost(Duration.ofSeconds(60))
			.until(() -> restarted.find(rollout.id()).orElseThrow(), (r) -> r.state() == RolloutState.COMPLETED);
		assertThat(done.stores().migrated()).isEqualTo(done.stores().total());
		assertThat(done.stores().failed()).isZero();
		assertThat(done.migrationP99Ms()).isNotNull();
		for (TenantPlacement p : placed) {
			assertThat(version(p)).isEqualTo(this.v2.migrations().latestVersion());
			assertThat(columns(p, "tag")).isOne();
		}
		assertThat(this.control.sql("select state from tenant_store where schema_name = ?")
			.param(broken.schema())
			.query(String.class)
			.single()).isEqualTo(PlacementState.READY.name());
	}

	@Test
	void aRunningRolloutWhoseInstanceDiedIsCarriedOnByAnother() throws Exception {
		List<TenantPlacement> placed = provision(4);
		MigrationRollouts survivor = instance();
		survivor.start();
		Rollout rollout;
		// Another instance holds the rollout's lock: while it lives, nobody else
		// migrates a store.
		try (Connection other = TestPostgres.get().adminConnection("roll_control");
				Statement st = other.createStatement()) {
			st.execute("select pg_advisory_lock(hashtext('" + LOCK + "'))");
			rollout = survivor.start(new Rollout.Plan(1, 2, 0.5));
			await().during(Duration.ofSeconds(1))
				.atMost(Duration.ofSeconds(5))
				.until(() -> survivor.find(rollout.id()).orElseThrow().stores().pending() == rollout.stores().total());
			// It dies: its session ends, and its lock with it.
			try (Connection admin = TestPostgres.get().adminConnection("roll_control");
					Statement kill = admin.createStatement()) {
				kill.execute("select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory'"
						+ " and pid <> pg_backend_pid() and granted");
			}
		}

		Rollout done = await().atMost(Duration.ofSeconds(60))
			.until(() -> survivor.find(rollout.id()).orElseThrow(), (r) -> r.state() == RolloutState.COMPLETED);
		assertThat(done.stores().migrated()).isEqualTo(rollout.stores().total());
		for (TenantPlacement p : placed) {
			assertThat(version(p)).isEqualTo(this.v2.migrations().latestVersion());
		}
	}

	@Test
	void aPausedRolloutStopsAfterTheStoresInFlightAndGoesOnWhenResumed() throws Exception {
		List<TenantPlacement> placed = provision(4);
		TenantPlacement busy = placed.get(0);
		MigrationRollouts instance = instance();
		instance.start();
		Rollout rollout;
		// A transaction of the canary's tenant keeps its table: the canary's migration
		// waits for it.
		try (Connection holder = TestPostgres.get().adminConnection("roll_dedicated")) {
			holder.setAutoCommit(false);
			try (Statement st = holder.createStatement()) {
				st.execute("select count(*) from " + busy.schema() + ".notes");
				rollout = instance.start(new Rollout.Plan(1, 2, 0.5));
				await().atMost(Duration.ofSeconds(10)).until(() -> waitingOnLock(busy.schema()));

				Rollout paused = instance.pause(rollout.id()).orElseThrow();

				assertThat(paused.state()).isEqualTo(RolloutState.PAUSED);
				assertThatThrownBy(() -> instance.pause(UUID.randomUUID()).orElseThrow())
					.isInstanceOf(java.util.NoSuchElementException.class);
			}
			holder.rollback();
		}
		// The store in flight ends; no other starts.
		await().atMost(Duration.ofSeconds(30))
			.until(() -> instance.find(rollout.id()).orElseThrow().stores().migrated() == 1);
		await().during(Duration.ofSeconds(1))
			.atMost(Duration.ofSeconds(5))
			.until(() -> instance.find(rollout.id()).orElseThrow().stores().migrated() == 1);
		assertThat(version(busy)).isEqualTo(this.v2.migrations().latestVersion());
		assertThat(version(placed.get(3))).isNotEqualTo(this.v2.migrations().latestVersion());

		instance.resume(rollout.id());

		Rollout done = await().atMost(Duration.ofSeconds(60))
			.until(() -> instance.find(rollout.id()).orElseThrow(), (r) -> r.state() == RolloutState.COMPLETED);
		assertThat(done.stores().migrated()).isEqualTo(done.stores().total());
		assertThat(instance.recent(5)).extracting(Rollout::id).contains(rollout.id());
	}

	@Test
	void theServicesOwnInstanceLeavesARolloutOfAnotherVersionAlone() {
		provision(1);
		// An instance of version 2 wrote the rollout and stopped.
		MigrationRollouts stopped = instance();
		stopped.close();
		Rollout rollout = stopped.start(Rollout.Plan.DEFAULTS);

		// The service's own instance, at version 1, polls every 200 ms.
		await().during(Duration.ofSeconds(1))
			.atMost(Duration.ofSeconds(5))
			.until(() -> this.serviceRollouts.find(rollout.id()).orElseThrow().stores().pending() == rollout.stores()
				.total());

		MigrationRollouts next = instance();
		next.start();
		await().atMost(Duration.ofSeconds(60))
			.until(() -> next.find(rollout.id()).orElseThrow().state() == RolloutState.COMPLETED);
	}

	private MigrationRollouts instance() {
		MigrationRollouts instance = new MigrationRollouts(this.controlDataSource, this.controlTx, this.placements,
				this.v2, this.properties);
		this.instances.add(instance);
		return instance;
	}

	private String currentVersion() {
		return TenantMigrations.load(List.of("classpath:db/tenant"), getClass().getClassLoader()).latestVersion();
	}

	private List<TenantPlacement> provision(int count) {
		List<TenantPlacement> placed = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			TenantPlacement p = this.provisioner.provision(UUID.randomUUID(), Tier.DEDICATED, "eu");
			assertThat(p.state()).isEqualTo(PlacementState.READY);
			TenantContext.run(p.tenantId(), () -> this.notes.add("before the rollout"));
			placed.add(p);
		}
		return placed;
	}

	private String version(TenantPlacement p) {
		return this.control.sql("select schema_version from tenant_store where schema_name = ?")
			.param(p.schema())
			.query(String.class)
			.single();
	}

	private int columns(TenantPlacement p, String column) throws Exception {
		try (Connection con = TestPostgres.get().adminConnection("roll_dedicated");
				Statement st = con.createStatement();
				java.sql.ResultSet rs = st
					.executeQuery("select count(*) from information_schema.columns" + " where table_schema = '"
							+ p.schema() + "' and table_name = 'notes' and column_name = '" + column + "'")) {
			rs.next();
			return rs.getInt(1);
		}
	}

	private boolean waitingOnLock(String schema) throws Exception {
		try (Connection con = TestPostgres.get().adminConnection("roll_dedicated");
				Statement st = con.createStatement();
				java.sql.ResultSet rs = st.executeQuery("select count(*) from pg_locks l join pg_class c on c.oid ="
						+ " l.relation where not l.granted and c.relname = 'notes' and c.relnamespace = '" + schema
						+ "'::regnamespace")) {
			rs.next();
			return rs.getInt(1) > 0;
		}
	}

	private void exec(String sql) throws Exception {
		try (Connection con = TestPostgres.get().adminConnection("roll_dedicated");
				Statement st = con.createStatement()) {
			st.execute(sql);
		}
	}

}
