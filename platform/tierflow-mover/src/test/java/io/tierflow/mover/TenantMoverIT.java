package io.tierflow.mover;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierflow.events.tenant.MovePhase;
import io.tierflow.mover.MoverTestApplication.NoteRepository;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantMovedException;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Tier moves with the tenancy core on real PostgreSQL and a real Debezium engine, while
 * two instances of the service write to the moving tenant and to its neighbour.
 */
class TenantMoverIT {

	private static final String SERVICE = "mover";

	private static ConfigurableApplicationContext one;

	private static ConfigurableApplicationContext two;

	/**
	 * Two more instances of a service that gives DEDICATED tenants their own database,
	 * for that direction.
	 */
	private static ConfigurableApplicationContext[] ownDatabasePair;

	@BeforeAll
	static void twoInstances() {
		Map<String, String> properties = MoverTestApplication.properties(SERVICE);
		one = start(properties);
		two = start(properties);
	}

	@AfterAll
	static void stop() {
		if (ownDatabasePair != null) {
			ownDatabasePair[1].close();
			ownDatabasePair[0].close();
		}
		two.close();
		one.close();
	}

	private static synchronized ConfigurableApplicationContext[] instances(IsolationMode dedicated) {
		if (dedicated == IsolationMode.SCHEMA) {
			return new ConfigurableApplicationContext[] { one, two };
		}
		if (ownDatabasePair == null) {
			Map<String, String> properties = new java.util.HashMap<>(
					MoverTestApplication.properties(service(dedicated)));
			properties.put("tierflow.tenancy.dedicated-isolation", dedicated.name());
			ownDatabasePair = new ConfigurableApplicationContext[] { start(properties), start(properties) };
		}
		return ownDatabasePair;
	}

	private static String service(IsolationMode dedicated) {
		return (dedicated == IsolationMode.SCHEMA) ? SERVICE : SERVICE + "db";
	}

	private static ConfigurableApplicationContext start(Map<String, String> properties) {
		return new SpringApplicationBuilder(MoverTestApplication.class).web(WebApplicationType.NONE)
			.properties(Map.copyOf(properties))
			.run();
	}

	static Stream<Arguments> directions() {
		return Stream.of(Arguments.of(Tier.SHARED, Tier.DEDICATED, IsolationMode.SCHEMA),
				Arguments.of(Tier.SHARED, Tier.DEDICATED, IsolationMode.DATABASE),
				Arguments.of(Tier.DEDICATED, Tier.ENTERPRISE, IsolationMode.SCHEMA),
				Arguments.of(Tier.ENTERPRISE, Tier.SHARED, IsolationMode.SCHEMA));
	}

	@ParameterizedTest(name = "{0} -> {1} (dedicated: {2})")
	@MethodSource("directions")
	void movesATenantWhileTwoInstancesWriteToItAndItsNeighbour(Tier fromTier, Tier toTier, IsolationMode dedicated)
			throws Exception {
		ConfigurableApplicationContext[] instances = instances(dedicated);
		ConfigurableApplicationContext first = instances[0];
		ConfigurableApplicationContext second = instances[1];
		String service = service(dedicated);
		UUID a = provision(first, fromTier);
		UUID b = provision(first, Tier.SHARED);
		TenantPlacement from = placement(first, a);
		Set<UUID> seeded = new HashSet<>();
		TenantContext.run(a, () -> {
			for (int i = 0; i < 1000; i++) {
				seeded.add(notes(first).add("seed " + i));
			}
		});
		Writers writers = new Writers();
		writers.start(first, a);
		writers.start(second, a);
		writers.start(second, b);
		List<MovePhase> phases = new ArrayList<>();
		MoveReport report;
		try {
			Thread.sleep(300); // the move starts while both instances write
			report = first.getBean(TenantMover.class)
				.move(a, toTier, "eu", null, options(Duration.ofMillis(500), Duration.ofSeconds(60)),
						(move, phase, changes, lag) -> phases.add(phase));
			Thread.sleep(500); // both instances go on writing at the new placement
		}
		finally {
			writers.stop();
		}
		assertThat(report.reason()).isNull();
		assertThat(report.succeeded()).isTrue();
		assertThat(phases).contains(MovePhase.PREPARING, MovePhase.STREAMING, MovePhase.FENCED, MovePhase.VERIFYING,
				MovePhase.SWITCHED);
		for (String phase : List.of("preparing", "streaming", "verifying", "fenced", "switched")) {
			assertThat(
					first.getBean(MeterRegistry.class).get(MovePhaseTimers.METER).tag("phase", phase).timer().count())
				.as(phase)
				.isPositive();
		}
		assertThat(writers.failures).isEmpty();
		assertThat(report.sourceChecksums()).isEqualTo(report.targetChecksums());
		assertThat(report.sourceChecksums().get("notes").rows()).isGreaterThanOrEqualTo(1000);

		TenantPlacement moved = placement(first, a);
		assertThat(moved.tier()).isEqualTo(toTier);
		assertThat(moved.isolation()).isEqualTo(first.getBean(TenantProvisioner.class).isolationFor(toTier));
		assertThat(moved.epoch()).isEqualTo(from.epoch() + 1);
		// Every acknowledged write is there exactly once: the seed, and what both
		// instances wrote before, during and after the cutover.
		List<UUID> aNow = TenantContext.call(a, () -> notes(second).ids());
		Set<UUID> expected = new HashSet<>(seeded);
		expected.addAll(writers.acked(a));
		assertThat(aNow).hasSameSizeAs(new HashSet<>(aNow));
		assertThat(new HashSet<>(aNow)).isEqualTo(expected);
		assertThat(writers.acked(a)).hasSizeGreaterThan(50);
		// The neighbour never moved and lost nothing, and none of its rows went along.
		assertThat(new HashSet<>(TenantContext.call(b, () -> notes(first).ids()))).isEqualTo(writers.acked(b));
		if (moved.isolation() != IsolationMode.ROW) {
			assertThat(countIn(moved.database(), moved.schema() + ".notes", b)).isZero();
			// Loaded without its indexes, then indexed: the same ones as the source's,
			// the primary key among them.
			assertThat(indexes(moved.database(), moved.schema(), "notes"))
				.isEqualTo(indexes(from.database(), from.schema(), "notes"))
				.anySatisfy((index) -> assertThat(index).contains("UNIQUE INDEX notes_pkey"))
				.anySatisfy((index) -> assertThat(index).contains("INDEX notes_created"));
		}

		first.getBean(TenantMover.class).removeSource(report, Duration.ofSeconds(10));
		switch (from.isolation()) {
			case ROW -> assertThat(countIn(from.database(), "shared.notes", a)).isZero();
			case SCHEMA -> assertThat(countSchemas(from.database(), from.schema())).isZero();
			case DATABASE -> assertThat(databaseExists(from.database())).isFalse();
		}
		assertThat(countIn(service + "_shared", "shared.notes", b)).isEqualTo(writers.acked(b).size());
		assertNoCaptureLeft();
	}

	@Test
	void aLaggingStreamIsRefusedItsCutoverAndWritesAreNeverBlocked() throws Exception {
		UUID a = provision(Tier.SHARED);
		Writers writers = new Writers();
		writers.start(one, a);
		MoveReport report;
		try {
			// No stream can apply a probe in zero time: the lag is always above this.
			report = one.getBean(TenantMover.class)
				.move(a, Tier.DEDICATED, "eu", null, options(Duration.ZERO, Duration.ofSeconds(3)),
						TenantMover.Progress.NONE);
			int before = writers.acked(a).size();
			Thread.sleep(300);
			assertThat(writers.acked(a).size()).isGreaterThan(before);
		}
		finally {
			writers.stop();
		}
		assertThat(report.succeeded()).isFalse();
		assertThat(report.reason()).contains("lag stayed above 0 ms").contains("cutover refused");
		assertThat(writers.failures).isEmpty();
		TenantPlacement stayed = placement(a);
		assertThat(stayed.isolation()).isEqualTo(IsolationMode.ROW);
		assertThat(stayed.epoch()).isEqualTo(1);
		assertThat(new HashSet<>(TenantContext.call(a, () -> notes(two).ids()))).isEqualTo(writers.acked(a));
		// The abandoned target is gone.
		assertThat(countSchemas(SERVICE + "_dedicated", report.to().schema())).isZero();
		assertNoCaptureLeft();
	}

	/**
	 * What a restart of the target's server does to a move: its connections there are
	 * cut. The move gives that start up, removes what it made, and starts again after a
	 * pause.
	 */
	@Test
	void aMoveWhoseConnectionsAreCutStartsAgainAndLosesNothing() throws Exception {
		UUID a = provision(Tier.SHARED);
		Set<UUID> seeded = new HashSet<>();
		TenantContext.run(a, () -> {
			for (int i = 0; i < 200; i++) {
				seeded.add(notes(one).add("seed " + i));
			}
		});
		Writers writers = new Writers();
		writers.start(one, a);
		List<MovePhase> phases = new ArrayList<>();
		AtomicBoolean cut = new AtomicBoolean();
		MoveReport report;
		try {
			report = one.getBean(TenantMover.class)
				.move(a, Tier.DEDICATED, "eu", null, options(Duration.ofMillis(500), Duration.ofSeconds(60)),
						(move, phase, changes, lag) -> {
							phases.add(phase);
							if (phase == MovePhase.STREAMING && cut.compareAndSet(false, true)) {
								cutConnections(SERVICE + "_dedicated");
							}
						});
		}
		finally {
			writers.stop();
		}
		assertThat(cut).isTrue();
		assertThat(report.succeeded()).as(String.valueOf(report.reason())).isTrue();
		// Started over: prepared again after it had streamed.
		assertThat(phases.lastIndexOf(MovePhase.PREPARING)).isGreaterThan(phases.indexOf(MovePhase.STREAMING));
		assertThat(report.sourceChecksums()).isEqualTo(report.targetChecksums());
		assertThat(writers.failures).isEmpty();
		Set<UUID> expected = new HashSet<>(seeded);
		expected.addAll(writers.acked(a));
		List<UUID> now = TenantContext.call(a, () -> notes(two).ids());
		assertThat(now).hasSameSizeAs(new HashSet<>(now));
		assertThat(new HashSet<>(now)).isEqualTo(expected);
		one.getBean(TenantMover.class).removeSource(report, Duration.ofSeconds(10));
		assertNoCaptureLeft();
	}

	private static void cutConnections(String database) {
		try {
			exec("postgres", "select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + database
					+ "' and backend_type = 'client backend' and pid <> pg_backend_pid()");
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * An instance that only reads has no fenced write to tell it the tenant moved; the
	 * placement change reaches it as the switch commits, not after the route cache's 30
	 * s.
	 */
	@Test
	void anInstanceThatOnlyReadsFollowsAMoveMadeByAnother() throws Exception {
		UUID a = provision(Tier.SHARED);
		TenantContext.run(a, () -> notes(one).add("before"));
		assertThat(TenantContext.call(a, () -> notes(two).ids())).hasSize(1);

		MoveReport report = one.getBean(TenantMover.class)
			.move(a, Tier.DEDICATED, "eu", null, options(Duration.ofMillis(500), Duration.ofSeconds(60)),
					TenantMover.Progress.NONE);
		assertThat(report.succeeded()).as(String.valueOf(report.reason())).isTrue();
		UUID after = TenantContext.call(a, () -> notes(one).add("after"));

		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(TenantContext.call(a, () -> notes(two).ids())).hasSize(2).contains(after));
		one.getBean(TenantMover.class).removeSource(report, Duration.ofSeconds(10));
		assertNoCaptureLeft();
	}

	/**
	 * A phase may go long without a progress report (checksums of a big tenant): the move
	 * still beats its heartbeat, so recovery never takes it for dead.
	 */
	@Test
	void aLongPhaseWithoutReportsIsNotTakenForADeadMove() throws Exception {
		UUID a = provision(Tier.SHARED);
		TenantContext.run(a, () -> notes(one).add("before"));
		TenantMover mover = one.getBean(TenantMover.class);
		List<List<UUID>> recovered = new ArrayList<>();
		MoveReport report = mover.move(a, Tier.DEDICATED, "eu", null,
				options(Duration.ofMillis(500), Duration.ofSeconds(60)), (move, phase, changes, lag) -> {
					if (phase == MovePhase.VERIFYING && recovered.isEmpty()) {
						try {
							// Four seconds without a report, then another instance's
							// watch looks for moves silent for three.
							Thread.sleep(4000);
						}
						catch (InterruptedException ex) {
							Thread.currentThread().interrupt();
						}
						recovered.add(two.getBean(TenantMover.class).recover(Duration.ofSeconds(3)));
					}
				});
		assertThat(recovered).containsExactly(List.of());
		assertThat(report.succeeded()).as(String.valueOf(report.reason())).isTrue();
		one.getBean(TenantMover.class).removeSource(report, Duration.ofSeconds(10));
		assertNoCaptureLeft();
	}

	@Test
	void aMarkLeftByAMoverThatDiedBeforeSwitchingIsTakenBackByWriters() throws Exception {
		UUID a = provision(Tier.SHARED);
		TenantContext.run(a, () -> notes(one).add("before"));
		// What a mover leaves when killed between its fence mark and the switch: the mark
		// (its session, and with it the lock, died with it).
		exec(SERVICE + "_shared", "insert into tierflow_fence.moved (tenant_id, epoch) values ('" + a + "', 1)");
		// While the mark is young it may still be a live mover's: writes wait it out,
		// then
		// are refused as "moving" (a 503 with Retry-After over HTTP), and nothing is
		// written.
		assertThatThrownBy(() -> TenantContext.call(a, () -> notes(two).add("refused")))
			.isInstanceOf(TenantMovedException.class);
		// Once older than the lease, the first writer takes it back and writes on.
		exec(SERVICE + "_shared", "update tierflow_fence.moved set moved_at = now() - interval '11 seconds'"
				+ " where tenant_id = '" + a + "'");
		UUID after = TenantContext.call(a, () -> notes(two).add("after"));
		assertThat(TenantContext.call(a, () -> notes(one).ids())).hasSize(2).contains(after);
		assertThat(countIn(SERVICE + "_shared", "tierflow_fence.moved", a)).isZero();
		assertThat(placement(a).epoch()).isEqualTo(1);
	}

	@Test
	void aSlotLeftBehindByAnEndedMoveIsReaped() throws Exception {
		// What a move leaves when dropping its capture failed at the end: its record says
		// it ended, its slot (pinning the source's WAL) and publication are still there.
		UUID move = UUID.randomUUID();
		exec(SERVICE + "_control",
				"insert into tierflow.tenant_move (move_id, tenant_id, from_epoch, from_cluster,"
						+ " from_database, from_schema, from_isolation, to_tier, to_cluster, to_database, to_schema,"
						+ " to_isolation, phase, outcome, ended_at) values ('" + move + "', '" + UUID.randomUUID()
						+ "', 1, 'shared-eu', '" + SERVICE + "_shared', 'shared', 'ROW', 'DEDICATED', 'dedicated-eu', '"
						+ SERVICE + "_dedicated', 't_gone', 'SCHEMA', 'DONE', 'SUCCEEDED', now())");
		String name = TenantChangeStream.captureName(move);
		exec(SERVICE + "_shared", "create publication " + name + " for table shared.notes");
		exec(SERVICE + "_shared", "select pg_create_logical_replication_slot('" + name + "', 'pgoutput')");

		assertThat(one.getBean(TenantMover.class).reapOrphans(Duration.ofDays(1))).isEqualTo(1);
		assertNoCaptureLeft();
		// Nothing is left to reap the second time.
		assertThat(one.getBean(TenantMover.class).reapOrphans(Duration.ofDays(1))).isZero();
	}

	private static void exec(String database, String sql) throws Exception {
		try (Connection con = TestPostgres.get().adminConnection(database); Statement st = con.createStatement()) {
			st.execute(sql);
		}
	}

	private static TenantMover.Options options(Duration cutoverLag, Duration catchUp) {
		return new TenantMover.Options(cutoverLag, catchUp, Duration.ofSeconds(2), Duration.ofMillis(500));
	}

	private static UUID provision(Tier tier) {
		return provision(one, tier);
	}

	private static UUID provision(ConfigurableApplicationContext instance, Tier tier) {
		UUID tenant = UUID.randomUUID();
		TenantPlacement p = instance.getBean(TenantProvisioner.class).provision(tenant, tier, "eu");
		assertThat(p.state()).isEqualTo(PlacementState.READY);
		return tenant;
	}

	private static TenantPlacement placement(UUID tenant) {
		return placement(one, tenant);
	}

	private static TenantPlacement placement(ConfigurableApplicationContext instance, UUID tenant) {
		return instance.getBean(TenantProvisioner.class).find(tenant).orElseThrow();
	}

	private static NoteRepository notes(ConfigurableApplicationContext instance) {
		return instance.getBean(NoteRepository.class);
	}

	private static long countIn(String database, String table, UUID tenant) throws Exception {
		try (Connection con = TestPostgres.get().adminConnection(database);
				Statement st = con.createStatement();
				ResultSet rs = st
					.executeQuery("select count(*) from " + table + " where tenant_id = '" + tenant + "'")) {
			rs.next();
			return rs.getLong(1);
		}
	}

	/** A table's index definitions, without the schema's name. */
	private static List<String> indexes(String database, String schema, String table) throws Exception {
		try (Connection con = TestPostgres.get().adminConnection(database);
				PreparedStatement ps = con.prepareStatement("select replace(indexdef, ' ON ' || schemaname || '.',"
						+ " ' ON ') from pg_indexes where schemaname = ? and tablename = ? order by indexname")) {
			ps.setString(1, schema);
			ps.setString(2, table);
			List<String> indexes = new ArrayList<>();
			try (ResultSet rs = ps.executeQuery()) {
				while (rs.next()) {
					indexes.add(rs.getString(1));
				}
			}
			return indexes;
		}
	}

	private static long countSchemas(String database, String schema) throws Exception {
		try (Connection con = TestPostgres.get().adminConnection(database);
				Statement st = con.createStatement();
				ResultSet rs = st.executeQuery("select count(*) from pg_namespace where nspname = '" + schema + "'")) {
			rs.next();
			return rs.getLong(1);
		}
	}

	/**
	 * No move's slot in the cluster, no publication in any of the service's databases.
	 */
	private static void assertNoCaptureLeft() throws Exception {
		try (Connection con = TestPostgres.get().adminConnection("postgres"); Statement st = con.createStatement()) {
			ResultSet slots = st
				.executeQuery("select count(*) from pg_replication_slots where slot_name like 'tierflow_mv_%'");
			slots.next();
			assertThat(slots.getLong(1)).as("replication slots left").isZero();
			List<String> databases = new ArrayList<>();
			ResultSet rs = st.executeQuery("select datname from pg_database where datname like '" + SERVICE + "%'");
			while (rs.next()) {
				databases.add(rs.getString(1));
			}
			for (String database : databases) {
				try (Connection db = TestPostgres.get().adminConnection(database);
						Statement s = db.createStatement();
						ResultSet pubs = s.executeQuery("select count(*) from pg_publication")) {
					pubs.next();
					assertThat(pubs.getLong(1)).as("publications left in " + database).isZero();
				}
			}
		}
	}

	private static boolean databaseExists(String database) throws Exception {
		try (Connection con = TestPostgres.get().adminConnection("postgres");
				Statement st = con.createStatement();
				ResultSet rs = st.executeQuery("select count(*) from pg_database where datname = '" + database + "'")) {
			rs.next();
			return rs.getLong(1) > 0;
		}
	}

}
