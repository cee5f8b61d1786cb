package io.tierflow.simulation.run;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierflow.events.inbox.EventInbox;
import io.tierflow.events.seats.UserSeats;
import io.tierflow.simulation.engine.MonteCarloEngine;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The service's one Monte Carlo engine (a thread per core, shared by all runs and closed
 * on shutdown), the settings, the sweep's schedule, and the tenant's seats.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SimulationProperties.class)
@EnableScheduling
class SimulationConfiguration {

	@Bean(destroyMethod = "close")
	MonteCarloEngine monteCarloEngine() {
		return new MonteCarloEngine();
	}

	/**
	 * Seats: each user.created adds one, and with it the per-user monthly runs. Bound as
	 * the Spring Cloud Stream function {@code userSeats}.
	 */
	@Bean
	UserSeats userSeats(EventInbox inbox, JdbcClient jdbc, ObjectProvider<JsonMapper> json,
			ObjectProvider<MeterRegistry> meters) {
		return new UserSeats("simulation", inbox, jdbc, json.getIfAvailable(() -> JsonMapper.builder().build()),
				meters.getIfAvailable());
	}

}
