package io.tierflow.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Tierflow service running as a process of its own from its executable jar, against a
 * PostgreSQL and a Kafka given to it through its environment ({@code TIERFLOW_PG},
 * {@code TIERFLOW_KAFKA}, ...), its output in a log file. Used by devstack and by the
 * benchmarks that measure a service from outside. A shutdown hook stops it should the
 * launching JVM end before {@link #close()}.
 */
public final class ServiceProcess implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(ServiceProcess.class);

	private static final int MANAGEMENT_PORT_OFFSET = 1000;

	private final String name;

	private final Process process;

	private final Path logFile;

	private final URI url;

	private final URI managementUrl;

	private final Thread reaper;

	private final ProcessBuilder builder;

	private ServiceProcess(String name, ProcessBuilder builder, Path logFile, URI url, URI managementUrl)
			throws IOException {
		this.name = name;
		this.builder = builder;
		this.process = builder.start();
		this.logFile = logFile;
		this.url = url;
		this.managementUrl = managementUrl;
		this.reaper = new Thread(process::destroyForcibly, name + "-reaper");
		Runtime.getRuntime().addShutdownHook(this.reaper);
	}

	/**
	 * The environment a service reads its infrastructure from: its port and its
	 * management port ({@link #managementPort(int)}), PostgreSQL (as the admin user, who
	 * creates the service's roles), Kafka and the JWKS it trusts.
	 */
	public static Map<String, String> environment(int port, PostgresServer pg, KafkaServer kafka, String jwks) {
		Map<String, String> env = new LinkedHashMap<>();
		env.put("PORT", Integer.toString(port));
		env.put("MANAGEMENT_PORT", Integer.toString(managementPort(port)));
		env.put("TIERFLOW_PG", "jdbc:postgresql://" + pg.host() + ":" + pg.port());
		env.put("TIERFLOW_PG_USER", pg.adminUser());
		env.put("TIERFLOW_PG_PASSWORD", pg.adminPassword());
		// No password has a default outside the dev profile: a fixed one for processes of
		// tests and benchmarks, whose PostgreSQL is theirs.
		env.put("TIERFLOW_APP_PASSWORD", "tierflow-test-app");
		env.put("TIERFLOW_KAFKA", kafka.bootstrapServers());
		// A secured broker's client settings, as Spring Boot reads them from the
		// environment (SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG -> sasl.jaas.config).
		kafka.springProperties()
			.forEach((name, value) -> env
				.put(name.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace("-", ""), value));
		env.put("TIERFLOW_JWKS", jwks);
		return env;
	}

	/**
	 * The port of the actuator of a service on {@code port}: 1000 above it, as every
	 * service's {@code MANAGEMENT_PORT} defaults to (9080 for tenant-service's 8080).
	 * @throws IllegalArgumentException if that is not a port
	 */
	public static int managementPort(int port) {
		int management = port + MANAGEMENT_PORT_OFFSET;
		if (management > 65535) {
			throw new IllegalArgumentException("No management port for port " + port + ": " + management
					+ " is out of range; choose a main port below " + (65536 - MANAGEMENT_PORT_OFFSET));
		}
		return management;
	}

	/**
	 * Starts a service without waiting for it: {@link #awaitHealthy(Duration)} does.
	 * @param name the service's name, like {@code billing-service}
	 * @param jar its executable jar
	 * @param port its HTTP port (also in {@code env})
	 * @param jvmOptions options of its JVM
	 * @param env its environment, like {@link #environment}; its {@code MANAGEMENT_PORT},
	 * else {@link #managementPort(int)}, is where {@link #managementUrl()} points
	 * @param logFile where its output goes
	 */
	public static ServiceProcess launch(String name, Path jar, int port, List<String> jvmOptions,
			Map<String, String> env, Path logFile) throws IOException {
		if (!Files.exists(jar)) {
			throw new IllegalStateException(jar + " is missing: build it first (./mvnw -DskipTests install)");
		}
		Files.createDirectories(logFile.toAbsolutePath().getParent());
		// A new log per launch; a relaunch appends to it.
		Files.deleteIfExists(logFile);
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(jvmOptions);
		command.add("-jar");
		command.add(jar.toString());
		ProcessBuilder pb = new ProcessBuilder(command);
		pb.environment().putAll(env);
		pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
		log.info("Starting {} on port {} (log: {})", name, port, logFile);
		String management = env.containsKey("MANAGEMENT_PORT") ? env.get("MANAGEMENT_PORT")
				: Integer.toString(managementPort(port));
		return new ServiceProcess(name, pb, logFile, URI.create("http://localhost:" + port),
				URI.create("http://localhost:" + management));
	}

	public URI url() {
		return this.url;
	}

	/**
	 * Where its actuator answers ({@code /actuator/...}), to a {@code SYSTEM_ADMIN} token
	 * only.
	 */
	public URI managementUrl() {
		return this.managementUrl;
	}

	public Path logFile() {
		return this.logFile;
	}

	/**
	 * Waits until it is ready: {@code /readyz} on its main port, the readiness probe any
	 * load balancer polls (anonymous, UP once the service has started).
	 * @throws IllegalStateException with the end of its log if it exits or is not healthy
	 * in time
	 */
	public void awaitHealthy(Duration timeout) {
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
		HttpRequest health = HttpRequest.newBuilder(this.url.resolve("/readyz")).timeout(Duration.ofSeconds(5)).build();
		long start = System.nanoTime();
		long deadline = start + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			checkAlive();
			try {
				HttpResponse<String> r = http.send(health, HttpResponse.BodyHandlers.ofString());
				if (r.statusCode() == 200 && r.body().contains("UP")) {
					log.info("{} is up at {} after {} s", this.name, this.url,
							(System.nanoTime() - start) / 1_000_000_000);
					return;
				}
			}
			catch (IOException ex) {
				// not listening yet
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			pause();
		}
		throw new IllegalStateException(this.name + " not healthy after " + timeout + ":\n" + tail());
	}

	/**
	 * @throws IllegalStateException with the end of its log if the process has exited
	 */
	public void checkAlive() {
		if (!this.process.isAlive()) {
			throw new IllegalStateException(this.name + " exited with " + this.process.exitValue() + ":\n" + tail());
		}
	}

	/** The process id while it runs, else -1. */
	public long pid() {
		return this.process.isAlive() ? this.process.pid() : -1;
	}

	public String name() {
		return this.name;
	}

	/**
	 * Kills it at once ({@code SIGKILL}), as a crash or an OOM kill would: no shutdown
	 * hooks, no clean close of connections or consumers.
	 */
	public void kill() {
		this.process.destroyForcibly();
		try {
			this.process.waitFor(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		log.info("{} killed", this.name);
	}

	/**
	 * A new process of the same service with the same settings, appending to the same
	 * log, without waiting for it ({@link #awaitHealthy(Duration)} does).
	 * @throws IllegalStateException if this one still runs
	 */
	public ServiceProcess relaunch() throws IOException {
		if (this.process.isAlive()) {
			throw new IllegalStateException(this.name + " is still running");
		}
		try {
			Runtime.getRuntime().removeShutdownHook(this.reaper);
		}
		catch (IllegalStateException ex) {
			// shutting down
		}
		log.info("Restarting {} (log: {})", this.name, this.logFile);
		return new ServiceProcess(this.name, this.builder, this.logFile, this.url, this.managementUrl);
	}

	/** Asks it to stop, without waiting. */
	public void stop() {
		this.process.destroy();
	}

	/** Stops it, forcibly after 20 s. */
	@Override
	public void close() {
		this.process.destroy();
		try {
			if (!this.process.waitFor(20, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
		}
		try {
			Runtime.getRuntime().removeShutdownHook(this.reaper);
		}
		catch (IllegalStateException ex) {
			// The JVM is shutting down already: the reaper runs anyway.
		}
	}

	/** The last 40 lines of its log. */
	public String tail() {
		try {
			List<String> lines = Files.readAllLines(this.logFile);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
		}
		catch (IOException ex) {
			return "(no log: " + ex + ")";
		}
	}

	private static void pause() {
		try {
			// Polling a process we do not control: there is nothing to await but time.
			Thread.sleep(500);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
