package io.tierflow.deploy;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose.yml (read with SnakeYAML, which resolves its anchors and merge keys as
 * Compose does): the images, healthchecks, volumes, roles and environment, and the
 * development token issuer only in the override file.
 */
class ComposeFileTest {

	private static final Map<String, Object> COMPOSE = load("docker-compose.yml");

	private static final Map<String, Object> OVERRIDE = load("docker-compose.override.yml");

	@Test
	void everyServiceRunsItsImage() {
		for (String name : Repository.SERVICES) {
			assertThat(service(name).get("image")).as(name)
				.isEqualTo("${TIERFLOW_IMAGE_REGISTRY:-}tierflow/" + name + ":${TIERFLOW_VERSION:-"
						+ Repository.version() + "}");
		}
	}

	@Test
	void everyLongRunningServiceAndKafkaHaveAHealthcheck() {
		services().forEach((name, service) -> {
			if (!"no".equals(map(service).get("restart"))) {
				assertThat(map(service)).as(name).containsKey("healthcheck");
			}
		});
		for (String name : Repository.SERVICES) {
			assertThat(healthcheck(name)).contains("http://localhost:8080/readyz");
		}
		assertThat(healthcheck("kafka")).contains("kafka-broker-api-versions.sh");
	}

	@Test
	void kafkaDataAndBlobsAreVolumes() {
		Map<String, Object> volumes = map(COMPOSE.get("volumes"));
		assertThat(strings(service("kafka").get("volumes"))).contains("kafka-data:/var/lib/kafka/data");
		assertThat(env("kafka")).containsEntry("KAFKA_LOG_DIRS", "/var/lib/kafka/data");
		assertThat(strings(service("minio").get("volumes"))).contains("blobs:/data");
		assertThat(volumes).containsKeys("kafka-data", "blobs");
		assertThat(env("file-service")).containsEntry("TIERFLOW_FILE_S3_ENDPOINT", "http://minio:9000")
			.doesNotContainKey("TIERFLOW_FILE_BLOBS");
	}

	@Test
	void everyServiceHasTheEnvironmentItReadsAndItsOwnRoles() {
		Set<String> readByAny = Repository.variablesAnyServiceReads();
		for (String name : Repository.SERVICES) {
			Map<String, Object> env = env(name);
			assertThat(env.keySet()).as(name).containsAll(Repository.variablesForTheCluster(name));
			assertThat(env.keySet()).as(name + ": a TIERFLOW_ variable no service reads (a typo?)")
				.filteredOn((v) -> v.startsWith("TIERFLOW_"))
				.isSubsetOf(readByAny);
			String role = name.replace("-service", "") + "_owner";
			for (String user : List.of("TIERFLOW_PG_USER", "TIERFLOW_PG_DEDICATED_USER",
					"TIERFLOW_PG_ENTERPRISE_USER")) {
				if (env.containsKey(user)) {
					assertThat(env.get(user)).as(name + " " + user).isEqualTo(role);
				}
			}
		}
	}

	@Test
	void theDevelopmentTokenIssuerIsOnlyInTheOverride() {
		for (String name : services().keySet()) {
			assertThat(env(name)).as(name).doesNotContainKeys("SPRING_PROFILES_ACTIVE", "TIERFLOW_DEV_TOKENS");
		}
		Map<String, Object> overridden = map(OVERRIDE.get("services"));
		assertThat(overridden).containsOnlyKeys("tenant-service");
		assertThat(map(map(overridden.get("tenant-service")).get("environment")))
			.containsEntry("SPRING_PROFILES_ACTIVE", "dev")
			.containsEntry("TIERFLOW_DEV_TOKENS", "true");
	}

	/**
	 * deploy/postgres-init.sql, which each PostgreSQL container runs once, creates every
	 * database a service names on the cluster its variable points at, owned by the role
	 * the service signs in as.
	 */
	@Test
	void everyDatabaseIsCreatedOnItsClusterOwnedByTheServicesRole() {
		Map<String, String> clusterOfHost = new LinkedHashMap<>();
		for (String pg : List.of("pg-shared", "pg-dedicated", "pg-enterprise")) {
			clusterOfHost.put(pg, (String) env(pg).get("TIERFLOW_CLUSTER"));
			assertThat(strings(service(pg).get("volumes")))
				.contains("./deploy/postgres/init-tierflow.sh:/docker-entrypoint-initdb.d/10-tierflow.sh:ro");
		}
		String sql = Repository.read(Repository.ROOT.resolve("deploy/postgres-init.sql"));
		Map<String, String> created = new LinkedHashMap<>();
		String block = "all";
		for (String line : sql.split("\n")) {
			Matcher condition = Pattern.compile("^\\\\if :(\\w+)").matcher(line);
			if (condition.find()) {
				block = condition.group(1);
			}
			else if (line.startsWith("\\endif")) {
				block = "all";
			}
			Matcher db = Pattern.compile("^create database (\\w+) owner (\\w+);").matcher(line);
			if (db.find()) {
				created.put(db.group(1) + "@" + block, db.group(2));
			}
		}
		for (String name : Repository.SERVICES) {
			Map<String, Object> env = env(name);
			Repository.databases(name).forEach((database, variable) -> {
				Matcher host = Pattern.compile("jdbc:postgresql://([a-z-]+):5432")
					.matcher(String.valueOf(env.get(variable)));
				assertThat(host.matches()).as(name + " " + variable).isTrue();
				String cluster = clusterOfHost.get(host.group(1));
				assertThat(created).as(name + ": " + database + " on " + cluster)
					.containsEntry(database + "@" + cluster, String.valueOf(env.get("TIERFLOW_PG_USER")));
			});
		}
	}

	private static String healthcheck(String name) {
		return String.join(" ", strings(map(service(name).get("healthcheck")).get("test")));
	}

	private static Map<String, Object> env(String name) {
		Object env = service(name).get("environment");
		return (env != null) ? map(env) : Map.of();
	}

	private static Map<String, Object> service(String name) {
		Map<String, Object> service = map(services().get(name));
		assertThat(service).as(name).isNotNull();
		return service;
	}

	private static Map<String, Object> services() {
		return map(COMPOSE.get("services"));
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object value) {
		return (Map<String, Object>) value;
	}

	@SuppressWarnings("unchecked")
	private static List<String> strings(Object value) {
		return (List<String>) value;
	}

	private static Map<String, Object> load(String file) {
		try (Reader reader = Files.newBufferedReader(Path.of(Repository.ROOT.toString(), file))) {
			return new Yaml().load(reader);
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

}
