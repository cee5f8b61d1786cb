package io.tierflow.mover;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.tierflow.events.tenant.MovePhase;
import io.tierflow.mover.MoverTestApplication.NoteRepository;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.TenantMovedException;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A service process killed with SIGKILL while it moves a tenant — during the copy, while
 * streaming, at the cutover, after the switch while it waits to remove the old rows — and
 * the recovery another instance runs at start-up: the move is finished or rolled back,
 * every acknowledged write is where the tenant lives, once, and no slot or publication is
 * left.
 */
class TenantMoverCrashIT {

	private static final String SERVICE = "movercrash";

	private static Map<String, String> properties;

	private static ConfigurableApplicationContext survivor;

	@BeforeAll
	static void instance() {
		properties = MoverTestApplication.properties(SERVICE);
		survivor = new SpringApplicationBuilder(MoverTestApplication.class).web(WebApplicationType.NONE)
			.properties(Map.copyOf(properties))
			.run();
	}

	@AfterAll
	static void stop() {
		survivor.close();
	}

	@ParameterizedTest(name = "killed in {0}")
	@EnumSource(names = { "COPYING", "STREAMING", "FENCED", "REMOVING_SOURCE" })
	void aMoveWhoseProcessIsKilledIsFinishedOrRolledBack(MovePhase phase) throws Exception {
		UUID a = UUID.randomUUID();
		TenantPlacement before = survivor.getBean(TenantProvisioner.class).provision(a, Tier.SHARED, "eu");
		// Enough rows for the copy to take a while.
		exec(SERVICE + "_shared", "insert into shared.notes (tenant_id, id, body) select '" + a
				+ "', gen_random_uuid(), 'seed ' || n from generate_series(1, 20000) n");
		Writers writers = new Writers();
		writers.start(survivor, a);
		Process mover = launch(a, Tier.DEDICATED);
		List<String> seen = new ArrayList<>();
		try {
			killAt(mover, phase, seen);
			List<UUID> recovered = survivor.getBean(TenantMover.class).recover(Duration.ZERO);
			// Writers go on after the recovery, wherever the tenant lives now.
			int ackedAtRecovery = writers.acked(a).size();
			await().atMost(Duration.ofSeconds(20)).until(() -> writers.acked(a).size() >= ackedAtRecovery + 20);
			assertThat(recovered.size() + (seen.contains("DONE true") ? 1 : 0)).as("phases seen: " + seen)
				.isGreaterThanOrEqualTo(seen.contains("DONE false") ? 0 : 1);
		}
		finally {
			writers.stop();
			mover.destroyForcibly();
		}
		// Writes refused while the move was in doubt were never acknowledged: nothing
		// else
		// may fail.
		assertThat(writers.failures).allMatch(TenantMovedException.class::isInstance);
		TenantPlacement now = survivor.getBean(TenantProvisioner.class).find(a).orElseThrow();
		assertThat(now.epoch()).isIn(before.epoch(), before.epoch() + 1);
		List<UUID> ids = TenantContext.call(a, () -> survivor.getBean(NoteRepository.class).ids());
		Set<UUID> acked = writers.acked(a);
		assertThat(ids).hasSize(20000 + acked.size());
		assertThat(ids).containsAll(acked);
		assertThat(ids).doesNotHaveDuplicates();
		if (phase == MovePhase.REMOVING_SOURCE) {
			// It had switched: recovery finished the move, and removed the old rows.
			assertThat(now.epoch()).isEqualTo(before.epoch() + 1);
			assertThat(now.tier()).isEqualTo(Tier.DEDICATED);
			assertThat(count(SERVICE + "_shared", "select count(*) from shared.notes where tenant_id = '" + a + "'"))
				.isZero();
		}
		assertNoCaptureLeft();
	}

	private static long count(String database, String sql) throws Exception {
		try (Connection con = TestPostgres.get().adminConnection(database);
				Statement st = con.createStatement();
				ResultSet rs = st.executeQuery(sql)) {
			rs.next();
			return rs.getLong(1);
		}
	}

	/** Reads the mover's output until it reports the phase, then kills it (SIGKILL). */
	private static void killAt(Process mover, MovePhase phase, List<String> seen) throws Exception {
		BufferedReader out = new BufferedReader(new InputStreamReader(mover.getInputStream(), StandardCharsets.UTF_8));
		String line;
		while ((line = out.readLine()) != null) {
			if (line.startsWith("PHASE ") || line.startsWith("DONE ")) {
				seen.add(line.startsWith("DONE ") ? line : line.split(" ")[1]);
				if (line.startsWith("PHASE " + phase + " ") || line.startsWith("DONE ")) {
					break;
				}
			}
		}
		mover.destroyForcibly();
		assertThat(mover.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(seen).as("the mover got as far as " + phase).isNotEmpty();
	}

	private static Process launch(UUID tenant, Tier tier) throws Exception {
		List<String> command = new ArrayList<>();
		command.add(ProcessHandle.current().info().command().orElse("java"));
		command.add("-Xmx512m");
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(MoverProcess.class.getName());
		command.add(tenant.toString());
		command.add(tier.name());
		properties.forEach((name, value) -> command.add("--" + name + "=" + value));
		return new ProcessBuilder(command).redirectErrorStream(true).start();
	}

	private static void exec(String database, String sql) throws Exception {
		try (Connection con = TestPostgres.get().adminConnection(database); Statement st = con.createStatement()) {
			st.execute(sql);
		}
	}

	private static void assertNoCaptureLeft() throws Exception {
		try (Connection con = TestPostgres.get().adminConnection("postgres"); Statement st = con.createStatement()) {
			ResultSet slots = st
				.executeQuery("select count(*) from pg_replication_slots where slot_name like 'tierflow_mv_%'");
			slots.next();
			assertThat(slots.getLong(1)).as("replication slots left").isZero();
		}
		try (Connection con = TestPostgres.get().adminConnection(SERVICE + "_shared");
				Statement st = con.createStatement();
				ResultSet pubs = st.executeQuery("select count(*) from pg_publication")) {
			pubs.next();
			assertThat(pubs.getLong(1)).as("publications left").isZero();
		}
	}

}
