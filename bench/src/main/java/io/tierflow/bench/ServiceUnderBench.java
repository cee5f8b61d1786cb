package io.tierflow.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.simulation.SimulationServiceApplication;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Boots simulation-service in this JVM the way its integration tests do: fresh control,
 * shared, dedicated and enterprise databases on the test PostgreSQL, the test Kafka
 * broker ({@link ServiceTestInfrastructure#tenantDataService}), plus the benchmark's own
 * settings. The settings are passed as command-line arguments, so they win over the
 * service's application.yml.
 */
final class ServiceUnderBench {

	/** Loggers that would otherwise print a line per tenant store. */
	private static final Map<String, String> QUIET = Map.of("logging.level.org.flywaydb", "WARN",
			// Flyway warns on every store that out-of-order migrations are allowed.
			"logging.level.org.flywaydb.core.internal.command.DbMigrate", "ERROR", "logging.level.io.tierflow.tenancy",
			"WARN", "logging.level.io.tierflow.events", "WARN", "logging.level.com.zaxxer.hikari", "WARN",
			"logging.level.org.apache.kafka", "ERROR", "spring.main.banner-mode", "off");

	private ServiceUnderBench() {
	}

	/**
	 * @param databasePrefix prefix of the databases (re)created for this run
	 * @param web whether to start the HTTP server (on a free port)
	 * @param settings further properties, like
	 * {@code tierflow.tenancy.migration.parallelism}
	 * @param sources configuration classes added to the service's own
	 */
	static ConfigurableApplicationContext start(String databasePrefix, boolean web, Map<String, String> settings,
			Class<?>... sources) {
		Map<String, String> properties = new LinkedHashMap<>();
		ServiceTestInfrastructure.tenantDataService(
				(name, value) -> properties.put(name, Objects.toString(value.get())), "simulation", databasePrefix);
		properties.putAll(QUIET);
		properties.put("server.port", "0");
		// The actuator's port too: free, like the main one (never its fixed default).
		properties.put("management.server.port", "0");
		properties.putAll(settings);
		List<String> args = new ArrayList<>();
		properties.forEach((name, value) -> args.add("--" + name + "=" + value));
		Class<?>[] all = new Class<?>[sources.length + 1];
		all[0] = SimulationServiceApplication.class;
		System.arraycopy(sources, 0, all, 1, sources.length);
		SpringApplication application = new SpringApplication(all);
		application.setWebApplicationType(web ? WebApplicationType.SERVLET : WebApplicationType.NONE);
		return application.run(args.toArray(String[]::new));
	}

}
