package io.tierflow.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The repository the deployment files describe: its services, what each one's
 * application.yml reads from the environment, and the environment the cluster needs of
 * it.
 */
final class Repository {

	/** Surefire runs in deploy/. */
	static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

	/** The six images: the five services and the gateway. */
	static final List<String> SERVICES = List.of("tenant-service", "simulation-service", "file-service",
			"billing-service", "analytics-service", "gateway");

	/** Services that keep tenant data on the three clusters. */
	static final Set<String> TENANT_DATA = Set.of("simulation-service", "file-service", "billing-service",
			"analytics-service");

	private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)([:}])");

	private static final Pattern JDBC_URL = Pattern
		.compile("(?m)^\\s*(?:jdbc-)?url:\\s*\\$\\{(TIERFLOW_PG[A-Z_]*)[:}].*/([a-z_]+)\\s*$");

	private Repository() {
	}

	static String read(Path path) {
		try {
			return Files.readString(path);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static String applicationYml(String service) {
		return read(ROOT.resolve(service).resolve("src/main/resources/application.yml"));
	}

	/** The project's version, which names the images. */
	static String version() {
		Matcher m = Pattern.compile("<artifactId>tierflow-parent</artifactId>\\s*<version>([^<]+)</version>")
			.matcher(read(ROOT.resolve("pom.xml")));
		if (!m.find()) {
			throw new IllegalStateException("No version in pom.xml");
		}
		return m.group(1);
	}

	/** Every environment variable a service's application.yml reads. */
	static Set<String> variablesRead(String service) {
		Set<String> names = new TreeSet<>();
		Matcher m = PLACEHOLDER.matcher(applicationYml(service));
		while (m.find()) {
			names.add(m.group(1));
		}
		return names;
	}

	/** The variables a service's application.yml reads without a default. */
	static Set<String> variablesWithoutDefault(String service) {
		Set<String> names = new TreeSet<>();
		Matcher m = PLACEHOLDER.matcher(applicationYml(service));
		while (m.find()) {
			if (m.group(2).equals("}")) {
				names.add(m.group(1));
			}
		}
		return names;
	}

	/**
	 * What a service needs set when it runs beside the others on separate hosts: its
	 * ports, its clusters and their roles, the broker, the issuer and its keys, the other
	 * services' addresses, its archives and its blobs. (A default in application.yml
	 * points at localhost, which is wrong in a container.)
	 */
	static Set<String> variablesForTheCluster(String service) {
		Set<String> names = new TreeSet<>(variablesWithoutDefault(service));
		names.addAll(List.of("PORT", "MANAGEMENT_PORT", "TIERFLOW_PG", "TIERFLOW_PG_USER", "TIERFLOW_PG_PASSWORD",
				"TIERFLOW_SECURITY_ISSUER"));
		if (!service.equals("tenant-service")) {
			names.add("TIERFLOW_JWKS");
		}
		if (!service.equals("gateway")) {
			names.add("TIERFLOW_KAFKA");
			names.add("TIERFLOW_ARCHIVES");
		}
		if (TENANT_DATA.contains(service)) {
			names.addAll(List.of("TIERFLOW_APP_PASSWORD", "TIERFLOW_PG_DEDICATED", "TIERFLOW_PG_DEDICATED_USER",
					"TIERFLOW_PG_DEDICATED_PASSWORD", "TIERFLOW_PG_ENTERPRISE", "TIERFLOW_PG_ENTERPRISE_USER",
					"TIERFLOW_PG_ENTERPRISE_PASSWORD"));
		}
		switch (service) {
			case "tenant-service" -> names.addAll(List.of("TIERFLOW_SIMULATION_URL", "TIERFLOW_FILE_URL",
					"TIERFLOW_BILLING_URL", "TIERFLOW_ANALYTICS_URL"));
			case "gateway" -> names.addAll(List.of("TIERFLOW_TENANT_URL", "TIERFLOW_SIMULATION_URL",
					"TIERFLOW_FILE_URL", "TIERFLOW_BILLING_URL", "TIERFLOW_ANALYTICS_URL"));
			case "simulation-service" -> names.add("TIERFLOW_FILE_URL");
			case "file-service" -> names.addAll(List.of("TIERFLOW_FILE_S3_ENDPOINT", "TIERFLOW_FILE_S3_ACCESS_KEY",
					"TIERFLOW_FILE_S3_SECRET_KEY", "TIERFLOW_FILE_S3_BUCKET_PREFIX"));
			default -> {
			}
		}
		return names;
	}

	/**
	 * Variables read through Spring's relaxed binding or by code (tierflow-tenancy's
	 * TelemetryDefaults), not by a placeholder in an application.yml: a deployment file
	 * may set them.
	 */
	static final Set<String> READ_OTHERWISE = Set.of("TIERFLOW_SECURITY_ISSUER", "TIERFLOW_OTLP_ENDPOINT",
			"TIERFLOW_LOG_FORMAT", "TIERFLOW_DEV_TOKENS");

	/** Every TIERFLOW_ variable some service reads. */
	static Set<String> variablesAnyServiceReads() {
		Set<String> names = new TreeSet<>(READ_OTHERWISE);
		for (String service : SERVICES) {
			names.addAll(variablesRead(service));
		}
		return names;
	}

	/**
	 * The databases a service names, each with the variable of the cluster it is on
	 * (TIERFLOW_PG, TIERFLOW_PG_DEDICATED or TIERFLOW_PG_ENTERPRISE).
	 */
	static Map<String, String> databases(String service) {
		Map<String, String> databases = new LinkedHashMap<>();
		Matcher m = JDBC_URL.matcher(applicationYml(service));
		while (m.find()) {
			databases.put(m.group(2), m.group(1));
		}
		return databases;
	}

	/**
	 * Every topic the services use: Topics.java's constants and their bindings' topics.
	 */
	static Set<String> topics() {
		Set<String> topics = new TreeSet<>();
		String source = read(ROOT.resolve("platform/tierflow-events/src/main/java/io/tierflow/events/Topics.java"));
		Matcher constants = Pattern.compile("static final String \\w+ = \"([a-z.]+)\"").matcher(source);
		while (constants.find()) {
			topics.add(constants.group(1));
		}
		for (String service : SERVICES) {
			topics.addAll(consumedTopics(service));
			topics.addAll(deadLetterTopics(service));
		}
		return topics;
	}

	static Set<String> consumedTopics(String service) {
		return values(service, "destination");
	}

	static Set<String> deadLetterTopics(String service) {
		return values(service, "dlq-name");
	}

	private static Set<String> values(String service, String key) {
		Set<String> values = new TreeSet<>();
		Matcher m = Pattern.compile("(?m)^\\s*" + key + ":\\s*(\\S+)\\s*$").matcher(applicationYml(service));
		while (m.find()) {
			values.addAll(List.of(m.group(1).split(",")));
		}
		return values;
	}

	/** Whether the main sources of any module hold {@code text}. */
	static boolean mainSourcesContain(String text) {
		try (Stream<Path> files = Files.walk(ROOT)) {
			return files
				.filter((p) -> p.toString().endsWith(".java") && p.toString().contains("/src/main/")
						&& !p.toString().contains("/target/"))
				.anyMatch((p) -> read(p).contains(text));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
