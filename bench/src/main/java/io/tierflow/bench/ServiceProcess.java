package io.tierflow.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.tierflow.testsupport.KafkaServer;
import io.tierflow.testsupport.PostgresServer;

/**
 * A Tierflow service running as a process of its own from its executable jar, launched
 * the way devstack launches it ({@code io.tierflow.devstack.Devstack}: the same JVM
 * options, the same environment variables, healthy when {@code /actuator/health} says
 * UP). The devstack module is not on the bench classpath: its logback.xml would clash
 * with the bench's, and depending on it would make {@code bench/run} build all five
 * services.
 */
final class ServiceProcess implements AutoCloseable {

	/**
	 * JVM options of a service under benchmark: devstack's heap and collector, but the
	 * full JIT (devstack stops at C1 for a quick start; a throughput run should measure
	 * the code as production runs it).
	 */
	static final List<String> BENCH_JVM_OPTIONS = List.of("-Xmx512m", "-XX:+UseSerialGC");

	private final String name;

	private final Process process;

	private final Path log;

	private final URI url;

	/** Stops the service should the benchmark's JVM be stopped before close(). */
	private final Thread reaper;

	private ServiceProcess(String name, Process process, Path log, URI url) {
		this.name = name;
		this.process = process;
		this.log = log;
		this.url = url;
		this.reaper = new Thread(process::destroyForcibly, name + "-service-reaper");
		Runtime.getRuntime().addShutdownHook(this.reaper);
	}

	/**
	 * Starts {@code <service>-service.jar} from {@code servicesDir} and returns once it
	 * is healthy.
	 * @param service the short service name ({@code billing})
	 * @param port its HTTP port
	 * @param jwks the JWKS URL it trusts tokens from
	 * @param workDir where its log goes ({@code logs/<service>-service.log})
	 * @param jvmOptions options of its JVM, like {@link #BENCH_JVM_OPTIONS}
	 */
	static ServiceProcess start(String service, int port, String jwks, PostgresServer pg, KafkaServer kafka,
			Path servicesDir, Path workDir, List<String> jvmOptions, Duration timeout) throws IOException {
		Path jar = servicesDir.resolve(service + "-service.jar");
		if (!Files.exists(jar)) {
			throw new IllegalStateException(jar + " is missing: build the bench first (bench/run without BENCH_BUILD)");
		}
		try (ServerSocket probe = new ServerSocket(port)) {
			probe.setReuseAddress(true);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Port " + port + " for " + service + "-service is taken: " + ex);
		}
		Files.createDirectories(workDir.resolve("logs"));
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(jvmOptions);
		command.add("-jar");
		command.add(jar.toString());
		ProcessBuilder pb = new ProcessBuilder(command);
		Map<String, String> env = pb.environment();
		env.put("PORT", Integer.toString(port));
		env.put("TIERFLOW_PG", "jdbc:postgresql://" + pg.host() + ":" + pg.port());
		env.put("TIERFLOW_PG_USER", pg.adminUser());
		env.put("TIERFLOW_PG_PASSWORD", pg.adminPassword());
		env.put("TIERFLOW_KAFKA", kafka.bootstrapServers());
		env.put("TIERFLOW_JWKS", jwks);
		Path log = workDir.resolve("logs").resolve(service + "-service.log");
		pb.redirectErrorStream(true).redirectOutput(log.toFile());
		ServiceProcess started = new ServiceProcess(service, pb.start(), log, URI.create("http://localhost:" + port));
		try {
			started.awaitHealthy(timeout);
			return started;
		}
		catch (RuntimeException ex) {
			started.close();
			throw ex;
		}
	}

	URI url() {
		return this.url;
	}

	Path log() {
		return this.log;
	}

	/**
	 * @throws IllegalStateException with the end of its log if the process has exited
	 */
	void checkAlive() {
		if (!this.process.isAlive()) {
			throw new IllegalStateException(
					this.name + "-service exited with " + this.process.exitValue() + ":\n" + tail(this.log));
		}
	}

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

	private void awaitHealthy(Duration timeout) {
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
		HttpRequest health = HttpRequest.newBuilder(this.url.resolve("/actuator/health"))
			.timeout(Duration.ofSeconds(5))
			.build();
		long start = System.nanoTime();
		long deadline = start + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			checkAlive();
			try {
				HttpResponse<String> r = http.send(health, HttpResponse.BodyHandlers.ofString());
				if (r.statusCode() == 200 && r.body().contains("UP")) {
					Bench.say(String.format(Locale.ROOT, "  %s-service up in %.1f s at %s (log: %s)", this.name,
							(System.nanoTime() - start) / 1e9, this.url, this.log));
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
		throw new IllegalStateException(this.name + "-service not healthy after " + timeout + ":\n" + tail(this.log));
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

	private static String tail(Path file) {
		try {
			List<String> lines = Files.readAllLines(file);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
		}
		catch (IOException ex) {
			return "(no log: " + ex + ")";
		}
	}

}
