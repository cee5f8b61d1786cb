package io.tierflow.devstack;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.ServiceProcess;
import io.tierflow.testsupport.TestKafka;
import io.tierflow.testsupport.TestPostgres;

/**
 * The suite that this module's tests run against, started once for all of them (five
 * services and the gateway are each a JVM: a minute and a half of the two cores), and
 * stopped when the test JVM ends. analytics-service alone has a second shared cluster:
 * rebalancing a shared tenant succeeds there and fails everywhere else. An operator signs
 * in to the console as {@link #OPERATOR} with {@link #operatorPassword()}.
 */
final class SuiteUnderTest {

	static final String OPERATOR = "it-operator";

	private static final String OPERATOR_PASSWORD = randomPassword();

	private static Devstack stack;

	private SuiteUnderTest() {
	}

	static synchronized Devstack stack() throws Exception {
		if (stack == null) {
			stack = start();
			Devstack started = stack;
			Runtime.getRuntime().addShutdownHook(new Thread(started::close, "devstack-it-stop"));
		}
		return stack;
	}

	static String operatorPassword() {
		return OPERATOR_PASSWORD;
	}

	private static Devstack start() throws Exception {
		PostgresServer pg = TestPostgres.get();
		pg.dropDatabase("analytics_shared2");
		pg.createDatabase("analytics_shared2");
		Map<String, String> analytics = new LinkedHashMap<>();
		String[][] clusters = { { "shared-eu", "analytics_shared", "SHARED" },
				{ "dedicated-eu", "analytics_dedicated", "DEDICATED" },
				{ "enterprise-eu", "analytics_enterprise", "ENTERPRISE" },
				{ "shared-eu-2", "analytics_shared2", "SHARED" } };
		for (int i = 0; i < clusters.length; i++) {
			String prefix = "TIERFLOW_TENANCY_CLUSTERS_" + i + "_";
			analytics.put(prefix + "NAME", clusters[i][0]);
			analytics.put(prefix + "JDBCURL", pg.jdbcUrl(clusters[i][1]));
			analytics.put(prefix + "USERNAME", pg.adminUser());
			analytics.put(prefix + "PASSWORD", pg.adminPassword());
			analytics.put(prefix + "ROLE", clusters[i][2]);
			analytics.put(prefix + "REGION", "eu");
		}
		// Routes are cached briefly, so moved tenants' old data goes soon.
		Map<String, String> all = Map.of("TIERFLOW_TENANCY_PLACEMENTCACHETTL", "2s",
				"TIERFLOW_MOVER_SOURCEREMOVALDELAY", "0s", "TIERFLOW_MOVER_CUTOVERLAG", "1s");
		return Devstack.start(pg, TestKafka.get(), Path.of("target/services"), Path.of("target/devstack-it"),
				freeBasePort(), Map.of("*", all, "analytics", analytics, "tenant",
						Devstack.operatorEnvironment(OPERATOR, OPERATOR_PASSWORD)));
	}

	private static String randomPassword() {
		byte[] bytes = new byte[12];
		new SecureRandom().nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	private static int freeBasePort() throws Exception {
		for (int attempt = 0; attempt < 50; attempt++) {
			// Below Linux's ephemeral range (32768+), management ports (+ 1000)
			// included: a port probed free there can be taken a moment later as the
			// local end of some client connection (a CI run lost file-service's port
			// that way).
			int base = 12000 + new java.util.Random().nextInt(19000);
			boolean free = true;
			// The services, then the gateway; and their management ports.
			for (int i = 0; i <= Devstack.SERVICES.size() && free; i++) {
				for (int port : new int[] { base + i, ServiceProcess.managementPort(base + i) }) {
					try (ServerSocket socket = new ServerSocket(port)) {
						socket.setReuseAddress(true);
					}
					catch (java.io.IOException ex) {
						free = false;
					}
				}
			}
			if (free) {
				return base;
			}
		}
		throw new IllegalStateException("No free port range");
	}

}
