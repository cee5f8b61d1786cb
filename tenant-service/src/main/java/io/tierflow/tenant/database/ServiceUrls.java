package io.tierflow.tenant.database;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where the tenant-data services answer, for the admin APIs that ask each of them
 * ({@code tierflow.services.*}; environment {@code TIERFLOW_SIMULATION_URL},
 * {@code TIERFLOW_FILE_URL}, {@code TIERFLOW_BILLING_URL},
 * {@code TIERFLOW_ANALYTICS_URL}).
 *
 * @param simulationUrl simulation-service's main port
 * @param fileUrl file-service's main port
 * @param billingUrl billing-service's main port
 * @param analyticsUrl analytics-service's main port
 */
@ConfigurationProperties("tierflow.services")
@Validated
record ServiceUrls(@NotNull @DefaultValue("http://localhost:8081") URI simulationUrl,
		@NotNull @DefaultValue("http://localhost:8082") URI fileUrl,
		@NotNull @DefaultValue("http://localhost:8083") URI billingUrl,
		@NotNull @DefaultValue("http://localhost:8084") URI analyticsUrl) {

	/** Each service's URL by its name, in a fixed order. */
	Map<String, URI> byService() {
		Map<String, URI> urls = new LinkedHashMap<>();
		urls.put("simulation", this.simulationUrl);
		urls.put("file", this.fileUrl);
		urls.put("billing", this.billingUrl);
		urls.put("analytics", this.analyticsUrl);
		return urls;
	}

}
