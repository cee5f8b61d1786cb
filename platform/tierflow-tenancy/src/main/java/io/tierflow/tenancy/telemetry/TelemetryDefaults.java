package io.tierflow.tenancy.telemetry;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * How every Tierflow service traces and logs unless told otherwise, from two environment
 * variables rather than the same Spring properties repeated in each service's
 * configuration:
 * <ul>
 * <li>{@value #LOG_FORMAT}: {@code ecs} (the default), {@code logstash} or {@code gelf}
 * for one JSON object per line on the console (Spring Boot's structured logging, with the
 * MDC's {@code tenant}, {@code traceId} and {@code spanId}); {@code plain} for Spring
 * Boot's text lines.</li>
 * <li>{@value #OTLP_ENDPOINT}: where spans are exported by OTLP over HTTP, like
 * {@code http://collector:4318/v1/traces}. Then every span is sampled: the volume is the
 * collector's to cut. Unset, nothing is exported and nothing is sampled, yet trace
 * contexts are still made and propagated (every request and event carries a trace id into
 * the logs and the next service), and a caller's sampled trace stays sampled: the sampler
 * follows the parent. Recording spans that go nowhere cost every request.</li>
 * </ul>
 * Each default sits below every other property source, so the Spring property itself
 * ({@code logging.structured.format.console},
 * {@code management.opentelemetry.tracing.export.otlp.endpoint},
 * {@code management.tracing.sampling.probability}) still wins.
 */
public class TelemetryDefaults implements EnvironmentPostProcessor {

	/** Environment variable choosing the console's log format. */
	public static final String LOG_FORMAT = "TIERFLOW_LOG_FORMAT";

	/** Environment variable naming the OTLP endpoint spans are exported to. */
	public static final String OTLP_ENDPOINT = "TIERFLOW_OTLP_ENDPOINT";

	static final String PROPERTY_SOURCE = "tierflowTelemetryDefaults";

	private static final String EXPORT_ENDPOINT = "management.opentelemetry.tracing.export.otlp.endpoint";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		environment.getPropertySources().addLast(new MapPropertySource(PROPERTY_SOURCE, defaults(environment)));
	}

	static Map<String, Object> defaults(ConfigurableEnvironment environment) {
		Map<String, Object> defaults = new HashMap<>();
		String format = environment.getProperty(LOG_FORMAT, "ecs").trim().toLowerCase(Locale.ROOT);
		if (!format.equals("plain")) {
			defaults.put("logging.structured.format.console", format);
		}
		String endpoint = environment.getProperty(OTLP_ENDPOINT);
		// Spring Boot exports as soon as the endpoint property exists, even empty: set it
		// only when there is one.
		if (endpoint != null && !endpoint.isBlank()) {
			defaults.put(EXPORT_ENDPOINT, endpoint.trim());
		}
		boolean exported = defaults.containsKey(EXPORT_ENDPOINT) || environment.containsProperty(EXPORT_ENDPOINT);
		defaults.put("management.tracing.sampling.probability", exported ? "1.0" : "0.0");
		return defaults;
	}

}
