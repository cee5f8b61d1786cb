package io.tierflow.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway PostgreSQL cluster started from the machine's own server binaries (found
 * with {@code pg_config --bindir} or else the newest
 * {@code /usr/lib/postgresql/<v>/bin}), tuned for tests: logical decoding on, plenty of
 * replication slots, connections and locks, and durability off. It listens on 127.0.0.1
 * only, with trust authentication for the {@code postgres} superuser. As initdb refuses
 * to run as root, a root JVM hands the data directory to the {@code postgres} OS user and
 * runs the server binaries through {@code runuser}. An existing cluster in the data
 * directory is reused. A JVM shutdown hook stops the server (immediately when the data
 * directory is thrown away, cleanly when it is kept) and, if asked, deletes the data
 * directory; {@link #stop()} does the same earlier.
 */
public final class LocalPostgresCluster {

	private static final Logger logger = LoggerFactory.getLogger(LocalPostgresCluster.class);

	private static final String OS_USER = "postgres";

	private static final String HOST = "127.0.0.1";

	private static final String SETTINGS_FILE = "tierflow.conf";

	private static final String LOG_FILE = "tierflow-postgres.log";

	private static final int PORT_ATTEMPTS = 3;

	private final Path binDir;

	private final Path dataDir;

	private final Path socketDir;

	private final boolean deleteOnExit;

	private final boolean asRoot;

	private final PostgresServer server;

	private final Thread shutdownHook;

	private final AtomicBoolean stopped = new AtomicBoolean();

	private LocalPostgresCluster(Path binDir, Path dataDir, Path socketDir, boolean deleteOnExit, boolean asRoot,
			int port) {
		this.binDir = binDir;
		this.dataDir = dataDir;
		this.socketDir = socketDir;
		this.deleteOnExit = deleteOnExit;
		this.asRoot = asRoot;
		this.server = new PostgresServer(HOST, port, OS_USER, OS_USER);
		this.shutdownHook = new Thread(this::doStop, "tierflow-postgres-stop");
	}

	/**
	 * Initialise (unless it already holds a cluster) and start a PostgreSQL cluster.
	 * @param dataDir the data directory; created if missing. When running as root, the
	 * {@code postgres} OS user must be able to reach it (so not under {@code /root})
	 * @param port the TCP port, or 0 for a free one
	 * @param deleteOnExit whether to delete the data directory when the cluster stops
	 * @return the running cluster
	 */
	public static LocalPostgresCluster start(Path dataDir, int port, boolean deleteOnExit) {
		long startedAt = System.nanoTime();
		Path binDir = findBinDir();
		Path data = dataDir.toAbsolutePath().normalize();
		boolean asRoot = isRoot();
		Path socketDir;
		try {
			Files.createDirectories(data);
			socketDir = Files.createTempDirectory("tierflow-pgsock-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not create directories for PostgreSQL at " + data, ex);
		}
		LocalPostgresCluster cluster = null;
		try {
			if (asRoot) {
				handToPostgresUser(data, socketDir);
			}
			for (int attempt = 1; cluster == null; attempt++) {
				int chosenPort = (port != 0) ? port : freePort();
				LocalPostgresCluster candidate = new LocalPostgresCluster(binDir, data, socketDir, deleteOnExit, asRoot,
						chosenPort);
				if (attempt == 1) {
					candidate.prepareDataDir();
				}
				try {
					candidate.startServer();
					cluster = candidate;
				}
				catch (IllegalStateException ex) {
					candidate.pgCtlStop();
					if (port != 0 || attempt >= PORT_ATTEMPTS) {
						throw ex;
					}
					logger.warn("PostgreSQL did not start on port {}, trying another port", chosenPort);
				}
			}
		}
		catch (RuntimeException ex) {
			deleteRecursively(socketDir);
			if (deleteOnExit) {
				deleteRecursively(data);
			}
			throw ex;
		}
		Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
		logger.info("Local PostgreSQL ({}) listening on {}:{}, data dir {}, started in {} ms", binDir, HOST,
				cluster.server.port(), data, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt));
		return cluster;
	}

	/**
	 * Return the address and superuser credentials of this cluster.
	 * @return the server
	 */
	public PostgresServer server() {
		return this.server;
	}

	/**
	 * Stop the server now and delete the data directory if the cluster was started with
	 * {@code deleteOnExit}: an immediate shutdown then, a fast (clean) one for a data
	 * directory that is kept. Calling it again does nothing.
	 */
	public void stop() {
		try {
			Runtime.getRuntime().removeShutdownHook(this.shutdownHook);
		}
		catch (IllegalStateException ex) {
			// The JVM is already shutting down; the hook does the work.
		}
		doStop();
	}

	/**
	 * A fast restart, as an operator's rolling restart or a failover does it: every
	 * connection is cut, open transactions roll back, committed ones stay (a fast
	 * shutdown writes a checkpoint). Returns once the server accepts connections again.
	 */
	public void restartFast() {
		Path log = this.dataDir.resolve(LOG_FILE);
		long startedAt = System.nanoTime();
		run(120, binary("pg_ctl"), "-D", this.dataDir.toString(), "-m", "fast", "-w", "-t", "60", "restart", "-l",
				log.toString());
		logger.info("PostgreSQL on port {} restarted (fast) in {} ms", this.server.port(),
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt));
	}

	private void prepareDataDir() {
		if (!Files.exists(this.dataDir.resolve("PG_VERSION"))) {
			run(60, binary("initdb"), "-D", this.dataDir.toString(), "-A", "trust", "-U", OS_USER, "-E", "UTF8",
					"--locale=C", "--no-sync");
		}
		else if (isRunning()) {
			// Left over from a JVM that died without running its shutdown hook.
			logger.warn("Stopping a PostgreSQL server still running on {}", this.dataDir);
			pgCtlStop();
		}
	}

	private void startServer() {
		writeSettings();
		Path log = this.dataDir.resolve(LOG_FILE);
		try {
			run(90, binary("pg_ctl"), "-D", this.dataDir.toString(), "-w", "-t", "60", "start", "-l", log.toString());
		}
		catch (IllegalStateException ex) {
			throw new IllegalStateException(ex.getMessage() + "\n--- tail of " + log + " ---\n" + tail(log, 30), ex);
		}
	}

	private void writeSettings() {
		String settings = String.join("\n", "# Written by " + getClass().getName() + " at every start.",
				"listen_addresses = '" + HOST + "'", "port = " + this.server.port(),
				"unix_socket_directories = '" + this.socketDir + "'", "wal_level = logical",
				"max_replication_slots = 40", "max_wal_senders = 40", "max_connections = 400", "fsync = off",
				"synchronous_commit = off", "full_page_writes = off", "shared_buffers = 128MB",
				"max_locks_per_transaction = 256", "");
		Path conf = this.dataDir.resolve("postgresql.conf");
		String include = "include_if_exists = '" + SETTINGS_FILE + "'";
		try {
			Path settingsFile = this.dataDir.resolve(SETTINGS_FILE);
			Files.writeString(settingsFile, settings, StandardCharsets.UTF_8);
			if (!Files.readString(conf, StandardCharsets.UTF_8).contains(include)) {
				Files.writeString(conf, "\n" + include + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
			}
			if (this.asRoot) {
				runAsRoot(10, "chown", OS_USER + ":", settingsFile.toString());
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not write PostgreSQL settings in " + this.dataDir, ex);
		}
	}

	private boolean isRunning() {
		try {
			run(30, binary("pg_ctl"), "-D", this.dataDir.toString(), "status");
			return true;
		}
		catch (IllegalStateException ex) {
			return false;
		}
	}

	private void doStop() {
		if (!this.stopped.compareAndSet(false, true)) {
			return;
		}
		pgCtlStop();
		deleteRecursively(this.socketDir);
		if (this.deleteOnExit) {
			deleteRecursively(this.dataDir);
		}
	}

	private void pgCtlStop() {
		try {
			// A throwaway cluster stops at once; a kept one shuts down cleanly, as with
			// synchronous_commit=off an immediate stop loses the last commits.
			String mode = this.deleteOnExit ? "immediate" : "fast";
			run(60, binary("pg_ctl"), "-D", this.dataDir.toString(), "-m", mode, "-w", "-t", "30", "stop");
		}
		catch (RuntimeException ex) {
			// Not running, or not started at all.
			logger.debug("pg_ctl stop: {}", ex.getMessage());
		}
	}

	private String binary(String name) {
		return this.binDir.resolve(name).toString();
	}

	private String run(int timeoutSeconds, String... command) {
		List<String> full = new ArrayList<>();
		if (this.asRoot) {
			full.addAll(List.of("runuser", "-u", OS_USER, "--"));
		}
		full.addAll(Arrays.asList(command));
		return exec(this.socketDir, timeoutSeconds, full);
	}

	private static void handToPostgresUser(Path data, Path socketDir) {
		runAsRoot(30, "chown", "-R", OS_USER + ":", data.toString(), socketDir.toString());
		try {
			exec(socketDir, 10, List.of("runuser", "-u", OS_USER, "--", "test", "-w", data.toString()));
		}
		catch (IllegalStateException ex) {
			throw new IllegalStateException("The '" + OS_USER + "' OS user cannot write to " + data
					+ "; put the PostgreSQL data directory where every user can reach it (for example under /tmp)", ex);
		}
	}

	private static void runAsRoot(int timeoutSeconds, String... command) {
		exec(null, timeoutSeconds, Arrays.asList(command));
	}

	private static String exec(Path workDir, int timeoutSeconds, List<String> command) {
		Path output = null;
		try {
			output = Files.createTempFile("tierflow-pg-cmd-", ".log");
			ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(output.toFile());
			if (workDir != null) {
				builder.directory(workDir.toFile());
			}
			Process process = builder.start();
			if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException(
						"Timed out after " + timeoutSeconds + "s: " + String.join(" ", command) + "\n" + read(output));
			}
			String text = read(output);
			if (process.exitValue() != 0) {
				throw new IllegalStateException(
						"Exit code " + process.exitValue() + " from: " + String.join(" ", command) + "\n" + text);
			}
			return text;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not run: " + String.join(" ", command), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while running: " + String.join(" ", command), ex);
		}
		finally {
			if (output != null) {
				deleteRecursively(output);
			}
		}
	}

	private static Path findBinDir() {
		Optional<Path> fromPgConfig = pgConfigBinDir().filter(LocalPostgresCluster::hasServerBinaries);
		if (fromPgConfig.isPresent()) {
			return fromPgConfig.get();
		}
		Path root = Paths.get("/usr/lib/postgresql");
		if (Files.isDirectory(root)) {
			try (Stream<Path> versions = Files.list(root)) {
				Optional<Path> newest = versions.map((version) -> version.resolve("bin"))
					.filter(LocalPostgresCluster::hasServerBinaries)
					.max(Comparator.comparingDouble(LocalPostgresCluster::version));
				if (newest.isPresent()) {
					return newest.get();
				}
			}
			catch (IOException ex) {
				logger.debug("Could not list {}", root, ex);
			}
		}
		throw new IllegalStateException(
				"No PostgreSQL server binaries (initdb, pg_ctl) found with 'pg_config --bindir' "
						+ "or in /usr/lib/postgresql/*/bin: install the Debian package 'postgresql' "
						+ "(apt-get install postgresql), or provide a server with TIERFLOW_TEST_PG_HOST");
	}

	private static Optional<Path> pgConfigBinDir() {
		try {
			return Optional.of(Paths.get(exec(null, 10, List.of("pg_config", "--bindir")).trim()));
		}
		catch (RuntimeException ex) {
			return Optional.empty();
		}
	}

	private static boolean hasServerBinaries(Path binDir) {
		return Files.isExecutable(binDir.resolve("initdb")) && Files.isExecutable(binDir.resolve("pg_ctl"));
	}

	private static double version(Path binDir) {
		try {
			return Double.parseDouble(binDir.getParent().getFileName().toString());
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	private static boolean isRoot() {
		return "root".equals(System.getProperty("user.name"));
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not find a free port", ex);
		}
	}

	private static String read(Path file) throws IOException {
		return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
	}

	private static String tail(Path file, int lines) {
		try {
			List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
			return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
		}
		catch (IOException ex) {
			return "(no log: " + ex.getMessage() + ")";
		}
	}

	private static void deleteRecursively(Path path) {
		if (!Files.exists(path)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(path)) {
			paths.sorted(Comparator.reverseOrder()).forEach((each) -> each.toFile().delete());
		}
		catch (IOException | UncheckedIOException ex) {
			logger.warn("Could not delete {}", path, ex);
		}
	}

}
