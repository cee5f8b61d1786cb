package io.tierflow.tenancy.telemetry;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

class TelemetryDefaultsTest {

	private static final String SAMPLING = "management.tracing.sampling.probability";

	private static final String ENDPOINT = "management.opentelemetry.tracing.export.otlp.endpoint";

	@Test
	void samplesNothingWhenNothingIsExported() {
		Map<String, Object> defaults = TelemetryDefaults.defaults(new MockEnvironment());
		assertThat(defaults).containsEntry(SAMPLING, "0.0").doesNotContainKey(ENDPOINT);
		assertThat(defaults).containsEntry("logging.structured.format.console", "ecs");
	}

	@Test
	void samplesEverySpanWhenAnEndpointIsNamed() {
		Map<String, Object> defaults = TelemetryDefaults.defaults(new MockEnvironment()
			.withProperty(TelemetryDefaults.OTLP_ENDPOINT, " http://collector:4318/v1/traces "));
		assertThat(defaults).containsEntry(SAMPLING, "1.0").containsEntry(ENDPOINT, "http://collector:4318/v1/traces");
	}

	@Test
	void samplesEverySpanWhenSpringsOwnEndpointPropertyIsSet() {
		Map<String, Object> defaults = TelemetryDefaults
			.defaults(new MockEnvironment().withProperty(ENDPOINT, "http://collector:4318/v1/traces"));
		assertThat(defaults).containsEntry(SAMPLING, "1.0").doesNotContainKey(ENDPOINT);
	}

	@Test
	void aBlankEndpointExportsNothing() {
		Map<String, Object> defaults = TelemetryDefaults
			.defaults(new MockEnvironment().withProperty(TelemetryDefaults.OTLP_ENDPOINT, "  "));
		assertThat(defaults).containsEntry(SAMPLING, "0.0").doesNotContainKey(ENDPOINT);
	}

	@Test
	void plainLogsAreSpringBootsText() {
		assertThat(
				TelemetryDefaults.defaults(new MockEnvironment().withProperty(TelemetryDefaults.LOG_FORMAT, "plain")))
			.doesNotContainKey("logging.structured.format.console");
	}

}
