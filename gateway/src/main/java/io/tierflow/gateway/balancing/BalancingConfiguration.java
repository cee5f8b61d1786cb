package io.tierflow.gateway.balancing;

import java.time.Duration;

import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;

/**
 * Balancing over a service's instances skips the ones that are not ready: Spring Cloud
 * LoadBalancer's health-check supplier ({@code spring.cloud.loadbalancer.configurations:
 * health-check}) polls each instance's {@code /readyz} with this client, so a killed or
 * paused instance leaves the rotation within an interval, and comes back once it answers
 * again.
 */
@Configuration(proxyBeanMethods = false)
class BalancingConfiguration {

	/**
	 * The health checks' client: short timeouts, as a frozen instance must not stall
	 * them.
	 */
	@Bean
	RestClient loadBalancerHealthChecks() {
		HttpClientSettings settings = HttpClientSettings.defaults()
			.withConnectTimeout(Duration.ofMillis(500))
			.withReadTimeout(Duration.ofSeconds(1));
		return RestClient.builder().requestFactory(ClientHttpRequestFactoryBuilder.jdk().build(settings)).build();
	}

}
