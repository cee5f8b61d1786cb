package io.tierflow.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The one real PostgreSQL server (with {@code wal_level=logical}) shared by every test in
 * the JVM, started lazily on first use. It is, in this order: the server named by
 * {@code TIERFLOW_TEST_PG_HOST} (with {@code TIERFLOW_TEST_PG_PORT},
 * {@code TIERFLOW_TEST_PG_USER} and {@code TIERFLOW_TEST_PG_PASSWORD}, defaulting to 5432
 * and postgres/postgres); a {@code postgres:15} Testcontainers container when a Docker
 * engine answers; or a throwaway {@link LocalPostgresCluster} in a temporary directory.
 * Tests isolate themselves with their own databases or schemas on it.
 */
public final class TestPostgres {

	private static final Logger logger = LoggerFactory.getLogger(TestPostgres.class);

	private static final String IMAGE = "postgres:15";

	private static volatile PostgresServer server;

	private TestPostgres() {
	}

	/**
	 * Return the shared server, starting it on first call.
	 * @return the server
	 */
	public static PostgresServer get() {
		PostgresServer result = server;
		if (result == null) {
			synchronized (TestPostgres.class) {
				result = server;
				if (result == null) {
					result = start();
					server = result;
				}
			}
		}
		return result;
	}

	private static PostgresServer start() {
		String host = System.getenv("TIERFLOW_TEST_PG_HOST");
		if (host != null && !host.isBlank()) {
			PostgresServer fromEnv = new PostgresServer(host, Integer.parseInt(env("TIERFLOW_TEST_PG_PORT", "5432")),
					env("TIERFLOW_TEST_PG_USER", "postgres"), env("TIERFLOW_TEST_PG_PASSWORD", "postgres"));
			logger.info("Using PostgreSQL from the environment: {}", fromEnv);
			return fromEnv;
		}
		if (DockerProbe.available()) {
			return startContainer();
		}
		try {
			Path dataDir = Files.createTempDirectory("tierflow-pg-");
			return LocalPostgresCluster.start(dataDir, 0, true).server();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not create a PostgreSQL data directory", ex);
		}
	}

	@SuppressWarnings("resource") // Stopped by Testcontainers when the JVM exits.
	private static PostgresServer startContainer() {
		long startedAt = System.nanoTime();
		PostgreSQLContainer container = new PostgreSQLContainer(DockerImageName.parse(IMAGE)).withUsername("postgres")
			.withPassword("postgres")
			.withDatabaseName("postgres")
			.withCommand("postgres", "-c", "wal_level=logical", "-c", "max_replication_slots=40", "-c",
					"max_wal_senders=40", "-c", "max_connections=400");
		container.start();
		PostgresServer started = new PostgresServer(container.getHost(),
				container.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT), container.getUsername(),
				container.getPassword());
		logger.info("Started {} container at {} in {} ms", IMAGE, started,
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt));
		return started;
	}

	private static String env(String name, String fallback) {
		String value = System.getenv(name);
		return (value != null && !value.isBlank()) ? value : fallback;
	}

}
