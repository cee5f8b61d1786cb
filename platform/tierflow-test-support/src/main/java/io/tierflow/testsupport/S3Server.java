package io.tierflow.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.MinIOContainer;

/**
 * An S3-compatible server on this machine, without Docker, as a process of its own: a
 * {@code minio} binary when one is on the {@code PATH}, otherwise S3Proxy from Maven
 * Central ({@code org.gaul:s3proxy:2.6.0}, classifier {@code jar-with-dependencies}) with
 * jclouds' {@code filesystem-nio2} backend, a bucket a directory under
 * {@code <dataDir>/buckets}. Running it apart keeps S3Proxy's Jetty, jclouds and Guava
 * off the class path of whoever starts it, and lets a test stop it (a store out of reach)
 * and start it again on the same port and data. It listens on 127.0.0.1, signs with
 * {@link #ACCESS_KEY} and {@link #SECRET_KEY} (SigV2 or SigV4), and takes path-style
 * requests. A shutdown hook stops it should the launching JVM end before
 * {@link #close()}.
 * <p>
 * S3Proxy's jar is {@code -Dtierflow.s3proxy.jar} or {@code TIERFLOW_S3PROXY_JAR} (the
 * builds copy it: file-service to {@code target/s3proxy/s3proxy.jar}, devstack to
 * {@code target/services/s3proxy.jar}), else the local Maven repository's copy.
 */
public final class S3Server implements AutoCloseable {

	/** The access key clients sign with. */
	public static final String ACCESS_KEY = "tierflow";

	/** The secret key clients sign with (MinIO wants at least 8 characters). */
	public static final String SECRET_KEY = "tierflow-s3-secret";

	/** The region clients sign for; the server accepts any, MinIO its default. */
	public static final String SIGNING_REGION = "us-east-1";

	/** The S3Proxy release this looks for in the local Maven repository. */
	public static final String S3PROXY_VERSION = "2.6.0";

	/** System property naming S3Proxy's {@code jar-with-dependencies}. */
	public static final String JAR_PROPERTY = "tierflow.s3proxy.jar";

	/** Environment variable naming S3Proxy's {@code jar-with-dependencies}. */
	public static final String JAR_ENV = "TIERFLOW_S3PROXY_JAR";

	private static final Logger log = LoggerFactory.getLogger(S3Server.class);

	private static final String HOST = "127.0.0.1";

	private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

	/** The MinIO image used when a Docker engine answers. */
	public static final String MINIO_IMAGE = "minio/minio:RELEASE.2025-09-07T16-13-09Z";

	private final String kind;

	/** The server's process, or null for a container. */
	private final Process process;

	/** The Testcontainers MinIO, or null for a process. */
	private final MinIOContainer container;

	private final String host;

	private final int port;

	private final Path dataDir;

	private final Path logFile;

	private final Thread reaper;

	private S3Server(String kind, Process process, int port, Path dataDir, Path logFile) {
		this.kind = kind;
		this.process = process;
		this.container = null;
		this.host = HOST;
		this.port = port;
		this.dataDir = dataDir;
		this.logFile = logFile;
		this.reaper = new Thread(process::destroyForcibly, "tierflow-s3-stop");
		Runtime.getRuntime().addShutdownHook(this.reaper);
	}

	private S3Server(MinIOContainer container, Path dataDir) {
		this.kind = "MinIO (Testcontainers)";
		this.process = null;
		this.container = container;
		this.host = container.getHost();
		this.port = container.getMappedPort(9000);
		this.dataDir = dataDir;
		this.logFile = dataDir.resolve("s3-server.log");
		// Testcontainers' own reaper removes the container should the JVM die.
		this.reaper = new Thread(container::stop, "tierflow-s3-stop");
		Runtime.getRuntime().addShutdownHook(this.reaper);
	}

	/**
	 * Starts MinIO in a container (Testcontainers), for machines with a Docker engine.
	 * Its buckets live in the container, so they do not outlive it.
	 */
	@SuppressWarnings("resource") // Stopped by close() or the shutdown hook.
	public static S3Server startContainer(Path dataDir) {
		Path data = prepare(dataDir);
		MinIOContainer container = new MinIOContainer(MINIO_IMAGE).withUserName(ACCESS_KEY).withPassword(SECRET_KEY);
		container.start();
		S3Server server = new S3Server(container, data);
		log.info("MinIO container answering at {}", server.endpoint());
		return server;
	}

	/**
	 * Starts an S3-compatible server keeping its buckets under {@code dataDir}: MinIO if
	 * it is on the {@code PATH}; else, on any port and with a Docker engine, MinIO in a
	 * Testcontainers container ({@link #startContainer(Path)}); else S3Proxy
	 * ({@link #s3ProxyJar()}). Returns once it answers HTTP. A process started again on
	 * the same directory serves the same buckets.
	 * @param dataDir its data directory, created if missing; its log is
	 * {@code <dataDir>/s3-server.log}
	 * @param port its port, or 0 for a free one
	 * @throws IllegalStateException with the end of its log when it does not come up
	 */
	public static S3Server start(Path dataDir, int port) {
		return start(dataDir, port, s3ProxyJar());
	}

	/**
	 * Like {@link #start(Path, int)}, with S3Proxy from this jar when there is no MinIO
	 * (devstack: {@code devstack/target/services/s3proxy.jar}).
	 */
	public static S3Server start(Path dataDir, int port, Path s3ProxyJar) {
		Optional<Path> minio = onPath("minio");
		if (minio.isPresent()) {
			return startMinio(minio.get(), dataDir, port);
		}
		if (port == 0 && DockerProbe.available()) {
			return startContainer(dataDir);
		}
		return startS3Proxy(s3ProxyJar, dataDir, port);
	}

	/**
	 * Starts S3Proxy from its {@code jar-with-dependencies} in a JVM of its own (this
	 * JVM's {@code java}), buckets in {@code <dataDir>/buckets}.
	 */
	public static S3Server startS3Proxy(Path jar, Path dataDir, int port) {
		if (!Files.isRegularFile(jar)) {
			throw new IllegalStateException("S3Proxy's jar " + jar + " is missing: build with Maven first "
					+ "(it copies org.gaul:s3proxy:" + S3PROXY_VERSION + ":jar-with-dependencies)");
		}
		Path data = prepare(dataDir);
		int chosen = (port != 0) ? port : freePort();
		Path buckets = data.resolve("buckets");
		Path settings = data.resolve("s3proxy.properties");
		try {
			Files.createDirectories(buckets);
			Files.writeString(settings,
					String.join("\n", "# Written by " + S3Server.class.getName() + " at every start.",
							"s3proxy.endpoint=http://" + HOST + ":" + chosen, "s3proxy.authorization=aws-v2-or-v4",
							"s3proxy.identity=" + ACCESS_KEY, "s3proxy.credential=" + SECRET_KEY,
							"jclouds.provider=filesystem-nio2", "jclouds.filesystem.basedir=" + buckets,
							"jclouds.identity=" + ACCESS_KEY, "jclouds.credential=" + SECRET_KEY, ""),
					StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot write S3Proxy's settings to " + settings, ex);
		}
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		// A small heap and the quick compiler: it streams bytes between sockets and
		// files, and starts in about a second.
		command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
		command.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "--properties", settings.toString()));
		return launch("S3Proxy", command, Map.of("LOG_LEVEL", "warn"), chosen, data);
	}

	/**
	 * Starts MinIO from its binary, data in {@code <dataDir>/buckets}, its console on a
	 * free loopback port.
	 */
	public static S3Server startMinio(Path minio, Path dataDir, int port) {
		Path data = prepare(dataDir);
		int chosen = (port != 0) ? port : freePort();
		Path buckets = data.resolve("buckets");
		try {
			Files.createDirectories(buckets);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot create " + buckets, ex);
		}
		List<String> command = List.of(minio.toString(), "server", buckets.toString(), "--address", HOST + ":" + chosen,
				"--console-address", HOST + ":" + freePort(), "--quiet");
		Map<String, String> env = Map.of("MINIO_ROOT_USER", ACCESS_KEY, "MINIO_ROOT_PASSWORD", SECRET_KEY,
				"MINIO_BROWSER", "off");
		return launch("MinIO", command, env, chosen, data);
	}

	/**
	 * S3Proxy's {@code jar-with-dependencies}: {@code -Dtierflow.s3proxy.jar}, else
	 * {@code TIERFLOW_S3PROXY_JAR}, else the local Maven repository's
	 * ({@code -Dmaven.repo.local} or {@code ~/.m2/repository}).
	 */
	public static Path s3ProxyJar() {
		String configured = System.getProperty(JAR_PROPERTY, System.getenv(JAR_ENV));
		if (configured != null && !configured.isBlank()) {
			return Path.of(configured);
		}
		String repository = System.getProperty("maven.repo.local",
				Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
		return Path.of(repository, "org", "gaul", "s3proxy", S3PROXY_VERSION,
				"s3proxy-" + S3PROXY_VERSION + "-jar-with-dependencies.jar");
	}

	/** Where it answers, like {@code http://127.0.0.1:43117}. */
	public URI endpoint() {
		return URI.create("http://" + this.host + ":" + this.port);
	}

	public int port() {
		return this.port;
	}

	public String accessKey() {
		return ACCESS_KEY;
	}

	public String secretKey() {
		return SECRET_KEY;
	}

	/** The region clients sign for. */
	public String signingRegion() {
		return SIGNING_REGION;
	}

	public Path dataDir() {
		return this.dataDir;
	}

	public Path logFile() {
		return this.logFile;
	}

	/**
	 * The environment that points a file-service process at this server
	 * ({@code TIERFLOW_FILE_S3_*}); its buckets are {@code <bucketPrefix>-<region>}, made
	 * at its start.
	 */
	public Map<String, String> fileServiceEnvironment(String bucketPrefix) {
		Map<String, String> env = new LinkedHashMap<>();
		env.put("TIERFLOW_FILE_S3_ENDPOINT", endpoint().toString());
		env.put("TIERFLOW_FILE_S3_ACCESS_KEY", ACCESS_KEY);
		env.put("TIERFLOW_FILE_S3_SECRET_KEY", SECRET_KEY);
		env.put("TIERFLOW_FILE_S3_BUCKET_PREFIX", bucketPrefix);
		env.put("TIERFLOW_FILE_S3_PATH_STYLE", "true");
		env.put("TIERFLOW_FILE_S3_REGION", SIGNING_REGION);
		return env;
	}

	/** Whether the process is still running. */
	public boolean isAlive() {
		return (this.container != null) ? this.container.isRunning() : this.process.isAlive();
	}

	/**
	 * Kills it at once ({@code SIGKILL}), as a crash would; {@link #start} on the same
	 * directory and port brings it back.
	 */
	public void kill() {
		if (this.container != null) {
			this.container.stop();
			removeHook();
			return;
		}
		this.process.destroyForcibly();
		awaitExit(10);
		removeHook();
	}

	/** Stops it, forcibly after 10 s. Calling it again does nothing. */
	@Override
	public void close() {
		if (this.container != null) {
			this.container.stop();
			removeHook();
			return;
		}
		this.process.destroy();
		if (!awaitExit(10)) {
			this.process.destroyForcibly();
			awaitExit(10);
		}
		removeHook();
	}

	/** The last 40 lines of its log. */
	public String tail() {
		if (this.container != null) {
			String logs = this.container.isRunning() ? this.container.getLogs() : "(container stopped)";
			return logs.substring(Math.max(0, logs.length() - 4000));
		}
		try {
			List<String> lines = Files.readAllLines(this.logFile);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
		}
		catch (IOException ex) {
			return "(no log: " + ex + ")";
		}
	}

	private static S3Server launch(String kind, List<String> command, Map<String, String> env, int port, Path data) {
		Path logFile = data.resolve("s3-server.log");
		ProcessBuilder pb = new ProcessBuilder(command);
		pb.environment().putAll(env);
		pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
		long startedAt = System.nanoTime();
		S3Server server;
		try {
			server = new S3Server(kind, pb.start(), port, data, logFile);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot start " + kind + ": " + command, ex);
		}
		try {
			server.awaitAnswering();
		}
		catch (RuntimeException ex) {
			server.close();
			throw ex;
		}
		log.info("{} listening on {}, data dir {}, started in {} ms (log: {})", kind, server.endpoint(), data,
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt), logFile);
		return server;
	}

	/**
	 * Waits until it answers HTTP at all: an anonymous request is refused (403), which is
	 * an answer.
	 */
	private void awaitAnswering() {
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
		HttpRequest probe = HttpRequest.newBuilder(endpoint().resolve("/")).timeout(Duration.ofSeconds(5)).build();
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException(this.kind + " exited with " + this.process.exitValue() + " on port "
						+ this.port + ":\n" + tail());
			}
			try {
				http.send(probe, HttpResponse.BodyHandlers.discarding());
				return;
			}
			catch (IOException ex) {
				// not listening yet
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			try {
				// Polling a process we do not control: there is nothing to await but
				// time.
				Thread.sleep(200);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
		throw new IllegalStateException(
				this.kind + " not answering on port " + this.port + " after " + START_TIMEOUT + ":\n" + tail());
	}

	private boolean awaitExit(int seconds) {
		try {
			return this.process.waitFor(seconds, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
			return false;
		}
	}

	private void removeHook() {
		try {
			Runtime.getRuntime().removeShutdownHook(this.reaper);
		}
		catch (IllegalStateException ex) {
			// The JVM is shutting down already: the reaper runs anyway.
		}
	}

	private static Path prepare(Path dataDir) {
		Path data = dataDir.toAbsolutePath().normalize();
		try {
			return Files.createDirectories(data);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot create the S3 data directory " + data, ex);
		}
	}

	private static Optional<Path> onPath(String binary) {
		String path = System.getenv("PATH");
		if (path == null) {
			return Optional.empty();
		}
		return Stream.of(path.split(java.io.File.pathSeparator))
			.filter((dir) -> !dir.isBlank())
			.map((dir) -> Path.of(dir, binary))
			.filter(Files::isExecutable)
			.findFirst();
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("No free port", ex);
		}
	}

	@Override
	public String toString() {
		return this.kind.toLowerCase(Locale.ROOT) + " at " + endpoint();
	}

}
