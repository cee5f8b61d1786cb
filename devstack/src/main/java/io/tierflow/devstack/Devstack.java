package io.tierflow.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.tierflow.testsupport.KafkaServer;
import io.tierflow.testsupport.LocalPostgresCluster;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.ServiceProcess;
import io.tierflow.testsupport.TestKafka;

/**
 * The whole Tierflow suite on one machine, without Docker: a PostgreSQL cluster it
 * creates itself (kept under {@code .tierflow/pg}), a real KRaft Kafka broker, and the
 * five services as separate processes, each with its own databases. Also used by the
 * end-to-end tests.
 */
public final class Devstack implements AutoCloseable {

	/** The public entry, started after the services. */
	public static final String GATEWAY = "gateway";

	/** Services in start order; tenant-service first, since the others fetch its JWKS. */
	public static final List<String> SERVICES = List.of("tenant", "simulation", "file", "billing", "analytics");

	/** Tenant-data services and the databases each one owns. */
	public static final List<String> TENANT_DATA_SERVICES = SERVICES.subList(1, SERVICES.size());

	/** JVM options of each service: small, quick to start. */
	private static final List<String> JVM_OPTIONS = List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
			"-Xss512k");

	private static final String BLOBS = "blobs";

	/** The gateway's database: its rate-limit buckets. */
	public static final String GATEWAY_DATABASE = "gateway";

	private final Map<String, ServiceProcess> processes = new LinkedHashMap<>();

	private final Map<String, Integer> ports = new LinkedHashMap<>();

	private final Path workDir;

	private Devstack(Path workDir) {
		this.workDir = workDir;
	}

	/**
	 * Creates the databases and starts the five services, returning once every one is
	 * healthy.
	 * @param servicesDir directory holding {@code <name>-service.jar} files
	 * @param workDir where logs and the token signing key go
	 * @param basePort tenant-service's port; the others follow it, and each one's
	 * management port is its own + 1000
	 */
	public static Devstack start(PostgresServer pg, KafkaServer kafka, Path servicesDir, Path workDir, int basePort) {
		return start(pg, kafka, servicesDir, workDir, basePort, Map.of());
	}

	/**
	 * As {@link #start(PostgresServer, KafkaServer, Path, Path, int)}, with extra
	 * environment variables per service ({@code "*"} for every service).
	 */
	public static Devstack start(PostgresServer pg, KafkaServer kafka, Path servicesDir, Path workDir, int basePort,
			Map<String, Map<String, String>> extraEnv) {
		return start(pg, kafka, servicesDir, workDir, basePort, basePort + SERVICES.size(), extraEnv);
	}

	/**
	 * As {@link #start(PostgresServer, KafkaServer, Path, Path, int, Map)}, with the
	 * gateway, in front of the five, on {@code gatewayPort}.
	 */
	public static Devstack start(PostgresServer pg, KafkaServer kafka, Path servicesDir, Path workDir, int basePort,
			int gatewayPort, Map<String, Map<String, String>> extraEnv) {
		Devstack stack = new Devstack(workDir);
		try {
			Files.createDirectories(workDir.resolve("logs"));
			for (String service : SERVICES) {
				for (String db : databases(service)) {
					pg.createDatabase(db);
				}
			}
			String jwks = "http://localhost:" + basePort + "/.well-known/jwks.json";
			for (int i = 0; i < SERVICES.size(); i++) {
				String service = SERVICES.get(i);
				int port = basePort + i;
				stack.ports.put(service, port);
				Map<String, String> env = new LinkedHashMap<>();
				env.put("TIERFLOW_FILE_URL", "http://localhost:" + (basePort + SERVICES.indexOf("file")));
				env.putAll(extraEnv.getOrDefault("*", Map.of()));
				env.putAll(extraEnv.getOrDefault(service, Map.of()));
				stack.processes.put(service, launch(service, port, pg, kafka, jwks, servicesDir, workDir, env));
			}
			pg.createDatabase(GATEWAY_DATABASE);
			Map<String, String> gatewayEnv = ServiceProcess.environment(gatewayPort, pg, kafka, jwks);
			for (String service : SERVICES) {
				gatewayEnv.put("TIERFLOW_" + service.toUpperCase(java.util.Locale.ROOT) + "_URL", stack.url(service));
			}
			gatewayEnv.putAll(extraEnv.getOrDefault("gateway", Map.of()));
			stack.ports.put(GATEWAY, gatewayPort);
			stack.processes.put(GATEWAY, ServiceProcess.launch(GATEWAY, servicesDir.resolve("gateway.jar"), gatewayPort,
					JVM_OPTIONS, gatewayEnv, workDir.resolve("logs").resolve("gateway.log")));
			for (String process : stack.processes.keySet()) {
				stack.processes.get(process).awaitHealthy(Duration.ofMinutes(4));
			}
			return stack;
		}
		catch (IOException ex) {
			stack.close();
			throw new UncheckedIOException(ex);
		}
		catch (RuntimeException ex) {
			stack.close();
			throw ex;
		}
	}

	/**
	 * Databases a service owns: tenant-service one, each tenant-data service a control
	 * and three clusters.
	 */
	public static List<String> databases(String service) {
		if (service.equals("tenant")) {
			return List.of("tenant");
		}
		return List.of(service, service + "_shared", service + "_dedicated", service + "_enterprise");
	}

	/** Where file-service keeps its blobs. */
	public Path blobs() {
		return this.workDir.resolve(BLOBS);
	}

	public String url(String service) {
		return "http://localhost:" + this.ports.get(service);
	}

	/**
	 * Where a service's actuator answers (health, info, metrics, prometheus), to a
	 * {@code SYSTEM_ADMIN} token only: its port + 1000
	 * ({@link ServiceProcess#environment}).
	 */
	public String managementUrl(String service) {
		return this.processes.get(service).managementUrl().toString();
	}

	@Override
	public void close() {
		List<String> reversed = new ArrayList<>(this.processes.keySet());
		java.util.Collections.reverse(reversed);
		for (String service : reversed) {
			this.processes.get(service).stop();
		}
		for (String service : reversed) {
			this.processes.get(service).close();
		}
	}

	private static ServiceProcess launch(String service, int port, PostgresServer pg, KafkaServer kafka, String jwks,
			Path servicesDir, Path workDir, Map<String, String> extraEnv) throws IOException {
		Map<String, String> env = ServiceProcess.environment(port, pg, kafka, jwks);
		// The development token issuer (tenant-service) needs the dev profile.
		env.put("TIERFLOW_DEV_TOKENS", "true");
		env.put("SPRING_PROFILES_ACTIVE", "dev");
		// The dev profile's application role passwords: the ones ./tierflow run has
		// always used with its PostgreSQL under .tierflow/pg.
		env.remove("TIERFLOW_APP_PASSWORD");
		env.put("TIERFLOW_TOKEN_KEY", workDir.resolve("tenant-service-jwk.json").toAbsolutePath().toString());
		env.put("TIERFLOW_FILE_BLOBS", workDir.resolve(BLOBS).toAbsolutePath().toString());
		// Tenant archives (exports, imports): one directory every service reads and
		// writes.
		env.put("TIERFLOW_ARCHIVES", workDir.resolve("archives").toAbsolutePath().toString());
		env.putAll(extraEnv);
		return ServiceProcess.launch(service + "-service", servicesDir.resolve(service + "-service.jar"), port,
				JVM_OPTIONS, env, workDir.resolve("logs").resolve(service + "-service.log"));
	}

	/**
	 * The first port the stack would listen on that something else holds, as one line
	 * naming it and the option that moves it; null when all are free.
	 */
	static String takenPort(int pgPort, int kafkaPort, int port, int gatewayPort) {
		Map<Integer, String[]> ports = new LinkedHashMap<>();
		ports.put(gatewayPort, new String[] { "the gateway", "--gateway-port" });
		ports.put(ServiceProcess.managementPort(gatewayPort),
				new String[] { "the gateway's actuator", "--gateway-port" });
		for (int i = 0; i < SERVICES.size(); i++) {
			String name = SERVICES.get(i) + "-service";
			ports.putIfAbsent(port + i, new String[] { name, "--port" });
			ports.putIfAbsent(ServiceProcess.managementPort(port + i), new String[] { name + "'s actuator", "--port" });
		}
		ports.putIfAbsent(pgPort, new String[] { "PostgreSQL", "--pg-port" });
		ports.putIfAbsent(kafkaPort, new String[] { "Kafka", "--kafka-port" });
		for (Map.Entry<Integer, String[]> entry : ports.entrySet()) {
			try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
				socket.setReuseAddress(true);
				socket.bind(new java.net.InetSocketAddress("127.0.0.1", entry.getKey()));
			}
			catch (java.io.IOException | IllegalArgumentException ex) {
				return "Port " + entry.getKey() + " (" + entry.getValue()[0]
						+ ") is taken: stop what holds it, or choose" + " other ports with " + entry.getValue()[1]
						+ " (./tierflow run " + entry.getValue()[1] + " <port>)";
			}
		}
		return null;
	}

	/**
	 * Runs the suite until interrupted. Options: {@code --work-dir} (default .tierflow),
	 * {@code --services-dir} (default devstack/target/services), {@code --pg-port}
	 * (55432), {@code --kafka-port} (19092), {@code --port} (8080, tenant-service; the
	 * others follow).
	 */
	public static void main(String[] args) throws Exception {
		Map<String, String> opts = new LinkedHashMap<>();
		for (int i = 0; i + 1 < args.length; i += 2) {
			opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
		}
		Path workDir = Path.of(opts.getOrDefault("work-dir", ".tierflow")).toAbsolutePath();
		Path servicesDir = Path.of(opts.getOrDefault("services-dir", "devstack/target/services")).toAbsolutePath();
		int pgPort = Integer.parseInt(opts.getOrDefault("pg-port", "55432"));
		int kafkaPort = Integer.parseInt(opts.getOrDefault("kafka-port", "19092"));
		int port = Integer.parseInt(opts.getOrDefault("port", "8080"));
		int gatewayPort = Integer.parseInt(opts.getOrDefault("gateway-port", "8000"));
		Files.createDirectories(workDir);
		String taken = takenPort(pgPort, kafkaPort, port, gatewayPort);
		if (taken != null) {
			System.err.println(taken);
			System.exit(1);
		}

		LocalPostgresCluster postgres = LocalPostgresCluster.start(workDir.resolve("pg"), pgPort, false);
		KafkaServer kafka = TestKafka.startLocal(kafkaPort);
		Devstack stack = start(postgres.server(), kafka, servicesDir, workDir, port, gatewayPort, Map.of());
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			stack.close();
			postgres.stop();
		}, "devstack-shutdown"));
		DemoTenants.create(stack.url("tenant"));

		StringBuilder banner = new StringBuilder("\n\nTierflow is running\n");
		banner.append(String.format("  %-20s %s   <- the public entry: use this one%n", "gateway", stack.url(GATEWAY)));
		banner.append(String.format("  %-20s jdbc:postgresql://127.0.0.1:%d (user postgres)%n", "PostgreSQL", pgPort));
		banner.append(String.format("  %-20s %s%n", "Kafka", kafka.bootstrapServers()));
		for (String service : SERVICES) {
			banner.append(String.format("  %-20s %s   (actuator: %s, SYSTEM_ADMIN)%n", service + "-service",
					stack.url(service), stack.managementUrl(service)));
		}
		banner.append("  Sign in as the demo admin (the development issuer answers this machine only):\n    curl -s ")
			.append(stack.url(GATEWAY))
			.append("/api/v1/dev/tokens -H 'Content-Type: application/json' \\\n")
			.append("      -d '{\"subject\":\"demo-admin\",\"roles\":[\"SYSTEM_ADMIN\"]}'\n");
		banner.append("  logs: ").append(workDir.resolve("logs")).append("\n  Ctrl-C stops everything.\n");
		System.out.println(banner);
		Thread.currentThread().join();
	}

}
