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
import java.util.Set;

import io.tierflow.testsupport.KafkaCluster;
import io.tierflow.testsupport.KafkaServer;
import io.tierflow.testsupport.LocalPostgresCluster;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.S3Server;
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

	/**
	 * The console operator of {@code ./tierflow run} (its password is made for each run).
	 */
	public static final String OPERATOR = "admin";

	/** Services in start order; tenant-service first, since the others fetch its JWKS. */
	public static final List<String> SERVICES = List.of("tenant", "simulation", "file", "billing", "analytics");

	/** Tenant-data services and the databases each one owns. */
	public static final List<String> TENANT_DATA_SERVICES = SERVICES.subList(1, SERVICES.size());

	/** JVM options of each service: small, quick to start. */
	private static final List<String> JVM_OPTIONS = List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
			"-Xss512k");

	private static final String BLOBS = "blobs";

	/** Instances of every service in the cluster topology. */
	static final int CLUSTER_INSTANCES = 2;

	/** The PostgreSQL servers of the cluster topology, in port order. */
	static final List<String> CLUSTER_PG = List.of("shared", "dedicated", "enterprise");

	/** The buckets of the cluster topology's blobs: one per region. */
	public static final String S3_BUCKET_PREFIX = "tierflow-files";

	/** Kafka nodes of the cluster topology. */
	static final int KAFKA_NODES = 3;

	/** The gateway's database: its rate-limit buckets. */
	public static final String GATEWAY_DATABASE = "gateway";

	/** The first instance of each service, and the gateway. */
	private final Map<String, ServiceProcess> processes = new LinkedHashMap<>();

	/** Every instance of each service, by service. */
	private final Map<String, List<ServiceProcess>> instances = new LinkedHashMap<>();

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
		return start(Clusters.single(pg), kafka, servicesDir, workDir, basePort, gatewayPort, 1, extraEnv);
	}

	/**
	 * The suite on the given PostgreSQL clusters, with {@code instances} instances of
	 * every service behind the gateway, which balances over the ready ones. Instance
	 * {@code k} (from 0) of the {@code i}-th service listens on
	 * {@code basePort + k * SERVICES.size() + i}. With more than one instance, the
	 * services reach each other and the token issuer's keys through the gateway, so that
	 * no single instance is needed.
	 */
	public static Devstack start(Clusters pg, KafkaServer kafka, Path servicesDir, Path workDir, int basePort,
			int gatewayPort, int instances, Map<String, Map<String, String>> extraEnv) {
		return start(pg, kafka, servicesDir, workDir, basePort, gatewayPort, instances, Set.of(), extraEnv);
	}

	/**
	 * As {@link #start(Clusters, KafkaServer, Path, Path, int, int, int, Map)}, with one
	 * instance only of the services in {@code singleInstance} (a shorter test of the
	 * cluster topology on a machine where every JVM's start-up counts).
	 */
	public static Devstack start(Clusters pg, KafkaServer kafka, Path servicesDir, Path workDir, int basePort,
			int gatewayPort, int instances, Set<String> singleInstance, Map<String, Map<String, String>> extraEnv) {
		Devstack stack = new Devstack(workDir);
		try {
			Files.createDirectories(workDir.resolve("logs"));
			for (String service : SERVICES) {
				for (String db : databases(service)) {
					pg.of(db).createDatabase(db);
				}
			}
			String gatewayUrl = "http://localhost:" + gatewayPort;
			String jwks = ((instances > 1) ? gatewayUrl : "http://localhost:" + basePort) + "/.well-known/jwks.json";
			String fileUrl = (instances > 1) ? gatewayUrl : "http://localhost:" + (basePort + SERVICES.indexOf("file"));
			for (int k = 0; k < instances; k++) {
				for (int i = 0; i < SERVICES.size(); i++) {
					String service = SERVICES.get(i);
					if (k > 0 && singleInstance.contains(service)) {
						continue;
					}
					int port = basePort + k * SERVICES.size() + i;
					Map<String, String> env = new LinkedHashMap<>();
					env.put("TIERFLOW_FILE_URL", fileUrl);
					if (service.equals("tenant")) {
						// The console, served by the gateway, receives its sign-in codes
						// at its root.
						env.put("TIERFLOW_CONSOLE_REDIRECT_URIS", gatewayUrl + "/");
						// The services tenant-service's admin APIs ask (a tenant's usage,
						// the
						// database API), directly: the gateway routes /api/v1/admin/** to
						// tenant-service itself. Their first instances (in k8s, their
						// Services).
						for (String other : TENANT_DATA_SERVICES) {
							env.put("TIERFLOW_" + other.toUpperCase(java.util.Locale.ROOT) + "_URL",
									"http://localhost:" + (basePort + SERVICES.indexOf(other)));
						}
					}
					env.putAll(pg.environment());
					env.putAll(extraEnv.getOrDefault("*", Map.of()));
					env.putAll(extraEnv.getOrDefault(service, Map.of()));
					String name = service + "-service" + ((instances > 1) ? "-" + (k + 1) : "");
					ServiceProcess process = launch(service, name, port, pg.shared(), kafka, jwks, servicesDir, workDir,
							env);
					stack.instances.computeIfAbsent(service, (s) -> new ArrayList<>()).add(process);
					if (k == 0) {
						stack.ports.put(service, port);
						stack.processes.put(service, process);
					}
				}
			}
			pg.shared().createDatabase(GATEWAY_DATABASE);
			Map<String, String> gatewayEnv = ServiceProcess.environment(gatewayPort, pg.shared(), kafka, jwks);
			StringBuilder balanced = new StringBuilder();
			for (String service : SERVICES) {
				List<String> uris = new ArrayList<>();
				for (ServiceProcess instance : stack.instances.get(service)) {
					uris.add("{\"uri\":\"" + instance.url() + "\"}");
				}
				balanced.append(balanced.isEmpty() ? "" : ",")
					.append('"')
					.append(service)
					.append("-service\":[")
					.append(String.join(",", uris))
					.append(']');
			}
			// Lists replace the configured one-instance lists whole.
			gatewayEnv.put("SPRING_APPLICATION_JSON",
					"{\"spring\":{\"cloud\":{\"discovery\":{\"client\":{\"simple\":{\"instances\":{" + balanced
							+ "}}}}}}}");
			gatewayEnv.putAll(extraEnv.getOrDefault("gateway", Map.of()));
			stack.ports.put(GATEWAY, gatewayPort);
			stack.processes.put(GATEWAY, ServiceProcess.launch(GATEWAY, servicesDir.resolve("gateway.jar"), gatewayPort,
					JVM_OPTIONS, gatewayEnv, workDir.resolve("logs").resolve("gateway.log")));
			for (List<ServiceProcess> list : stack.instances.values()) {
				for (ServiceProcess process : list) {
					process.awaitHealthy(Duration.ofMinutes(6));
				}
			}
			stack.processes.get(GATEWAY).awaitHealthy(Duration.ofMinutes(4));
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
	 * The PostgreSQL clusters of a suite: one for the control databases and the shared
	 * tier, one for dedicated tenants, one for enterprise tenants (the same server thrice
	 * for a one-server suite).
	 */
	public record Clusters(PostgresServer shared, PostgresServer dedicated, PostgresServer enterprise) {

		public static Clusters single(PostgresServer pg) {
			return new Clusters(pg, pg, pg);
		}

		/** The server that holds a database of {@link #databases(String)}. */
		PostgresServer of(String database) {
			if (database.endsWith("_dedicated")) {
				return this.dedicated;
			}
			return database.endsWith("_enterprise") ? this.enterprise : this.shared;
		}

		/** What the services read to reach the dedicated and enterprise clusters. */
		Map<String, String> environment() {
			Map<String, String> env = new LinkedHashMap<>();
			if (!this.dedicated.equals(this.shared)) {
				put(env, "DEDICATED", this.dedicated);
			}
			if (!this.enterprise.equals(this.shared)) {
				put(env, "ENTERPRISE", this.enterprise);
			}
			return env;
		}

		private static void put(Map<String, String> env, String role, PostgresServer server) {
			env.put("TIERFLOW_PG_" + role, "jdbc:postgresql://" + server.host() + ":" + server.port());
			env.put("TIERFLOW_PG_" + role + "_USER", server.adminUser());
			env.put("TIERFLOW_PG_" + role + "_PASSWORD", server.adminPassword());
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

	/** Every instance of a service, first to last. */
	public List<ServiceProcess> instances(String service) {
		return List.copyOf(this.instances.get(service));
	}

	/** Kills instance {@code k} of a service at once ({@code SIGKILL}). */
	public void kill(String service, int k) {
		this.instances.get(service).get(k).kill();
	}

	/**
	 * Starts a killed instance again, without waiting for it: await its
	 * {@link ServiceProcess#awaitHealthy(Duration)}.
	 */
	public ServiceProcess relaunch(String service, int k) {
		List<ServiceProcess> list = this.instances.get(service);
		try {
			ServiceProcess process = list.get(k).relaunch();
			list.set(k, process);
			if (k == 0) {
				this.processes.put(service, process);
			}
			return process;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() {
		List<ServiceProcess> all = new ArrayList<>();
		if (this.processes.containsKey(GATEWAY)) {
			all.add(this.processes.get(GATEWAY));
		}
		List<String> reversed = new ArrayList<>(this.instances.keySet());
		java.util.Collections.reverse(reversed);
		for (String service : reversed) {
			all.addAll(this.instances.get(service));
		}
		for (ServiceProcess process : all) {
			process.stop();
		}
		for (ServiceProcess process : all) {
			process.close();
		}
	}

	private static ServiceProcess launch(String service, String name, int port, PostgresServer pg, KafkaServer kafka,
			String jwks, Path servicesDir, Path workDir, Map<String, String> extraEnv) throws IOException {
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
		return ServiceProcess.launch(name, servicesDir.resolve(service + "-service.jar"), port, JVM_OPTIONS, env,
				workDir.resolve("logs").resolve(name + ".log"));
	}

	/**
	 * The first port the stack would listen on that something else holds, as one line
	 * naming it and the option that moves it; null when all are free.
	 */
	static String takenPort(int pgPort, int kafkaPort, int port, int gatewayPort) {
		return takenPort(pgPort, kafkaPort, port, gatewayPort, false);
	}

	/**
	 * As {@link #takenPort(int, int, int, int)}, for the cluster topology when
	 * {@code cluster}: three PostgreSQL servers from {@code pgPort}, three Kafka nodes
	 * (clients and controllers) from {@code kafkaPort}, two instances of every service.
	 */
	static String takenPort(int pgPort, int kafkaPort, int port, int gatewayPort, boolean cluster) {
		Map<Integer, String[]> ports = new LinkedHashMap<>();
		ports.put(gatewayPort, new String[] { "the gateway", "--gateway-port" });
		ports.put(ServiceProcess.managementPort(gatewayPort),
				new String[] { "the gateway's actuator", "--gateway-port" });
		int instances = cluster ? CLUSTER_INSTANCES : 1;
		for (int k = 0; k < instances; k++) {
			for (int i = 0; i < SERVICES.size(); i++) {
				String name = SERVICES.get(i) + "-service" + (cluster ? "-" + (k + 1) : "");
				int servicePort = port + k * SERVICES.size() + i;
				ports.putIfAbsent(servicePort, new String[] { name, "--port" });
				ports.putIfAbsent(ServiceProcess.managementPort(servicePort),
						new String[] { name + "'s actuator", "--port" });
			}
		}
		for (int i = 0; i < (cluster ? CLUSTER_PG.size() : 1); i++) {
			ports.putIfAbsent(pgPort + i,
					new String[] { cluster ? "PostgreSQL " + CLUSTER_PG.get(i) : "PostgreSQL", "--pg-port" });
		}
		for (int i = 0; i < (cluster ? 2 * KAFKA_NODES : 1); i++) {
			ports.putIfAbsent(kafkaPort + i, new String[] { "Kafka", "--kafka-port" });
		}
		if (cluster) {
			ports.putIfAbsent(kafkaPort + 2 * KAFKA_NODES, new String[] { "the S3 server", "--kafka-port" });
		}
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
	 * The environment that makes {@code username} an operator of tenant-service (a
	 * SYSTEM_ADMIN who signs in to the console), with the password hashed.
	 */
	public static Map<String, String> operatorEnvironment(String username, String password) {
		return Map.of("TIERFLOW_OPERATOR", username, "TIERFLOW_OPERATOR_PASSWORD_HASH",
				org.springframework.security.crypto.factory.PasswordEncoderFactories.createDelegatingPasswordEncoder()
					.encode(password));
	}

	private static String randomPassword() {
		byte[] bytes = new byte[12];
		new java.security.SecureRandom().nextBytes(bytes);
		return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	/**
	 * Runs the suite until interrupted. Options: {@code --work-dir} (default .tierflow),
	 * {@code --services-dir} (default devstack/target/services), {@code --pg-port}
	 * (55432), {@code --kafka-port} (19092), {@code --port} (8080, tenant-service; the
	 * others follow), {@code --gateway-port} (8000), and {@code --cluster}: three
	 * PostgreSQL servers (shared, dedicated, enterprise; from the PostgreSQL port on),
	 * three Kafka nodes as processes (replication factor 3, min.insync.replicas 2; from
	 * the Kafka port on, the S3 server after them) and two instances of every service.
	 */
	public static void main(String[] args) throws Exception {
		Map<String, String> opts = new LinkedHashMap<>();
		boolean cluster = false;
		for (int i = 0; i < args.length; i++) {
			if (args[i].equals("--cluster")) {
				cluster = true;
			}
			else if (i + 1 < args.length) {
				opts.put(args[i].replaceFirst("^--", ""), args[++i]);
			}
		}
		Path workDir = Path.of(opts.getOrDefault("work-dir", ".tierflow")).toAbsolutePath();
		Path servicesDir = Path.of(opts.getOrDefault("services-dir", "devstack/target/services")).toAbsolutePath();
		int pgPort = Integer.parseInt(opts.getOrDefault("pg-port", "55432"));
		int kafkaPort = Integer.parseInt(opts.getOrDefault("kafka-port", "19092"));
		int port = Integer.parseInt(opts.getOrDefault("port", "8080"));
		int gatewayPort = Integer.parseInt(opts.getOrDefault("gateway-port", "8000"));
		Files.createDirectories(workDir);
		String taken = takenPort(pgPort, kafkaPort, port, gatewayPort, cluster);
		if (taken != null) {
			System.err.println(taken);
			System.exit(1);
		}
		List<Runnable> stops = new ArrayList<>();
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			for (int i = stops.size() - 1; i >= 0; i--) {
				stops.get(i).run();
			}
		}, "devstack-shutdown"));
		Clusters clusters;
		KafkaServer kafka;
		Map<String, Map<String, String>> extraEnv = new LinkedHashMap<>();
		if (cluster) {
			List<PostgresServer> servers = new ArrayList<>();
			for (int i = 0; i < CLUSTER_PG.size(); i++) {
				String role = CLUSTER_PG.get(i);
				LocalPostgresCluster postgres = LocalPostgresCluster
					.start(workDir.resolve(role.equals("shared") ? "pg" : "pg-" + role), pgPort + i, false);
				stops.add(postgres::stop);
				servers.add(postgres.server());
			}
			clusters = new Clusters(servers.get(0), servers.get(1), servers.get(2));
			KafkaCluster kafkaCluster = KafkaCluster.start(workDir.resolve("kafka"), kafkaPort, KAFKA_NODES);
			stops.add(kafkaCluster::close);
			kafka = kafkaCluster.server();
			// The file-service instances share their blobs through the S3 API.
			S3Server s3 = S3Server.start(workDir.resolve("s3"), kafkaPort + 2 * KAFKA_NODES,
					servicesDir.resolve("s3proxy.jar"));
			stops.add(s3::close);
			extraEnv.put("file", s3.fileServiceEnvironment(S3_BUCKET_PREFIX));
		}
		else {
			LocalPostgresCluster postgres = LocalPostgresCluster.start(workDir.resolve("pg"), pgPort, false);
			stops.add(postgres::stop);
			clusters = Clusters.single(postgres.server());
			kafka = TestKafka.startLocal(kafkaPort);
		}
		// The console's operator, with a password made for this run.
		String operatorPassword = randomPassword();
		extraEnv.computeIfAbsent("tenant", (s) -> new LinkedHashMap<>())
			.putAll(operatorEnvironment(OPERATOR, operatorPassword));
		Devstack stack = start(clusters, kafka, servicesDir, workDir, port, gatewayPort,
				cluster ? CLUSTER_INSTANCES : 1, extraEnv);
		stops.add(stack::close);
		DemoTenants.create(stack.url("tenant"));

		StringBuilder banner = new StringBuilder("\n\nTierflow is running" + (cluster ? " as a cluster" : "") + "\n");
		banner.append(String.format("  %-20s %s/   sign in as %s / %s%n", "console", stack.url(GATEWAY), OPERATOR,
				operatorPassword));
		banner.append(String.format("  %-20s %s   <- the public entry: use this one%n", "gateway", stack.url(GATEWAY)));
		if (cluster) {
			for (int i = 0; i < CLUSTER_PG.size(); i++) {
				banner.append(String.format("  %-20s jdbc:postgresql://127.0.0.1:%d (user postgres)%n",
						"PostgreSQL " + CLUSTER_PG.get(i), pgPort + i));
			}
		}
		else {
			banner.append(
					String.format("  %-20s jdbc:postgresql://127.0.0.1:%d (user postgres)%n", "PostgreSQL", pgPort));
		}
		banner.append(String.format("  %-20s %s%n", "Kafka", kafka.bootstrapServers()));
		if (cluster) {
			banner.append(String.format("  %-20s %s (buckets %s-<region>)%n", "S3 (blobs)",
					extraEnv.get("file").get("TIERFLOW_FILE_S3_ENDPOINT"), S3_BUCKET_PREFIX));
		}
		for (String service : SERVICES) {
			for (ServiceProcess instance : stack.instances(service)) {
				banner.append(String.format("  %-20s %s   (actuator: %s, SYSTEM_ADMIN)%n", instance.name(),
						instance.url(), instance.managementUrl()));
			}
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
