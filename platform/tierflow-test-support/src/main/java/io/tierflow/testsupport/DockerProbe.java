package io.tierflow.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * Answers, once per JVM, whether Testcontainers can reach a Docker engine. Testcontainers
 * is asked only when something suggests an engine may be there ({@code DOCKER_HOST}, a
 * {@code ~/.testcontainers.properties} file or a well-known Docker socket), so that a
 * machine without Docker neither waits for nor logs Testcontainers' failed probes; any
 * error counts as "no Docker". The environment variable {@code TIERFLOW_TEST_DOCKER}
 * overrides the guess: {@code false} never uses Docker, {@code true} always asks
 * Testcontainers.
 */
final class DockerProbe {

	private static final Logger logger = LoggerFactory.getLogger(DockerProbe.class);

	private static volatile Boolean available;

	private DockerProbe() {
	}

	static boolean available() {
		Boolean result = available;
		if (result == null) {
			synchronized (DockerProbe.class) {
				result = available;
				if (result == null) {
					result = probe();
					available = result;
				}
			}
		}
		return result;
	}

	private static boolean probe() {
		String override = System.getenv("TIERFLOW_TEST_DOCKER");
		if ("false".equalsIgnoreCase(override)) {
			return false;
		}
		if (!"true".equalsIgnoreCase(override) && !dockerHinted()) {
			logger.debug("No sign of a Docker engine; not asking Testcontainers");
			return false;
		}
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (Throwable ex) {
			logger.info("Testcontainers cannot use Docker: {}", ex.toString());
			return false;
		}
	}

	private static boolean dockerHinted() {
		if (notBlank(System.getenv("DOCKER_HOST"))) {
			return true;
		}
		String home = System.getProperty("user.home", "");
		List<Path> candidates = new ArrayList<>(List.of(Paths.get(home, ".testcontainers.properties"),
				Paths.get("/var/run/docker.sock"), Paths.get("/run/docker.sock"),
				Paths.get(home, ".docker", "run", "docker.sock"), Paths.get(home, ".docker", "desktop", "docker.sock"),
				Paths.get(home, ".rd", "docker.sock"), Paths.get(home, ".colima", "default", "docker.sock")));
		String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
		if (notBlank(runtimeDir)) {
			candidates.add(Paths.get(runtimeDir, "docker.sock"));
			candidates.add(Paths.get(runtimeDir, "podman", "podman.sock"));
		}
		return candidates.stream().anyMatch(Files::exists);
	}

	private static boolean notBlank(String value) {
		return value != null && !value.isBlank();
	}

}
