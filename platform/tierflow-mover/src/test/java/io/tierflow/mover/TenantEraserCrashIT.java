package io.tierflow.mover;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.tierflow.events.tenant.TenantErased;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.testsupport.TenantTraces;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A service process killed with SIGKILL in the middle of an erase — after it counted its
 * report, while it deletes the tenant's rows — and another instance that finishes the
 * erase: every row gone, neighbours untouched, and the report the dead process counted.
 */
class TenantEraserCrashIT {

	private static final String SERVICE = "erasercrash";

	private static final JsonMapper JSON = JsonMapper.builder().build();

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

	@Test
	void anEraseWhoseProcessIsKilledIsFinishedByAnotherInstanceWithTheSameReport() throws Exception {
		UUID a = UUID.randomUUID();
		UUID neighbour = UUID.randomUUID();
		TenantProvisioner provisioner = survivor.getBean(TenantProvisioner.class);
		provisioner.provision(a, Tier.SHARED, "eu");
		provisioner.provision(neighbour, Tier.SHARED, "eu");
		// Enough rows for the delete to take a while.
		exec("insert into shared.notes (tenant_id, id, body) select '" + a
				+ "', gen_random_uuid(), 'seed ' || n from generate_series(1, 400000) n");
		exec("insert into shared.notes (tenant_id, id, body) select '" + neighbour
				+ "', gen_random_uuid(), 'seed ' || n from generate_series(1, 1000) n");

		Process eraser = launch(a);
		String counted;
		try {
			counted = awaitCountedReport(a, eraser);
			eraser.destroyForcibly();
			assertThat(eraser.waitFor(30, TimeUnit.SECONDS)).isTrue();
		}
		finally {
			eraser.destroyForcibly();
		}
		assertThat(state(a)).as("killed in the middle of the erase").isEqualTo("ERASING");
		assertThat(notes(a)).as("its delete was rolled back with its session").isEqualTo(400000);

		// What the survivor's watch does at start-up and every few seconds.
		assertThat(survivor.getBean(TenantEraser.class).resume()).isEqualTo(1);

		assertThat(state(a)).isEqualTo("ERASED");
		assertThat(notes(a)).isZero();
		assertThat(notes(neighbour)).isEqualTo(1000);
		TenantErased before = JSON.readValue(counted, TenantErased.class);
		TenantErased after = survivor.getBean(TenantEraser.class).erase(a);
		assertThat(after.rowsDeleted()).isEqualTo(before.rowsDeleted()).containsEntry("notes", 400000L);
		assertThat(after.removed()).isEqualTo(before.removed());
		assertThat(TenantTraces.inDatabases(TestPostgres.get(), a, List.of(SERVICE + "_")))
			.allMatch((t) -> t.startsWith(SERVICE + "_control.tierflow.tenant_erasure."));
	}

	/**
	 * Waits until the erasing process has kept its report (polled often: the window
	 * between counting and deleting is short).
	 */
	private static String awaitCountedReport(UUID tenant, Process eraser) {
		String[] report = new String[1];
		await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(5)).until(() -> {
			assertThat(eraser.isAlive()).as("the erasing process is alive").isTrue();
			try (Connection con = TestPostgres.get().adminConnection(SERVICE + "_control");
					PreparedStatement ps = con
						.prepareStatement("select report from tierflow.tenant_erasure where tenant_id = ?")) {
				ps.setObject(1, tenant);
				try (ResultSet rs = ps.executeQuery()) {
					report[0] = rs.next() ? rs.getString(1) : null;
				}
			}
			return report[0] != null;
		});
		return report[0];
	}

	private static String state(UUID tenant) throws Exception {
		try (Connection con = TestPostgres.get().adminConnection(SERVICE + "_control");
				Statement st = con.createStatement();
				ResultSet rs = st
					.executeQuery("select state from tierflow.tenant_erasure where tenant_id = '" + tenant + "'")) {
			return rs.next() ? rs.getString(1) : null;
		}
	}

	private static long notes(UUID tenant) throws Exception {
		try (Connection con = TestPostgres.get().adminConnection(SERVICE + "_shared");
				Statement st = con.createStatement();
				ResultSet rs = st
					.executeQuery("select count(*) from shared.notes where tenant_id = '" + tenant + "'")) {
			rs.next();
			return rs.getLong(1);
		}
	}

	private static Process launch(UUID tenant) throws Exception {
		List<String> command = new ArrayList<>();
		command.add(ProcessHandle.current().info().command().orElse("java"));
		command.add("-Xmx512m");
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(EraserProcess.class.getName());
		command.add(tenant.toString());
		properties.forEach((name, value) -> command.add("--" + name + "=" + value));
		return new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start();
	}

	private static void exec(String sql) throws Exception {
		try (Connection con = TestPostgres.get().adminConnection(SERVICE + "_shared");
				Statement st = con.createStatement()) {
			st.execute(sql);
		}
	}

}
