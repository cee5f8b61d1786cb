package io.tierflow.simulation.run;

import io.tierflow.simulation.engine.MonteCarloEngine;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The service's one Monte Carlo engine (a thread per core, shared by all runs and closed
 * on shutdown), the settings, and the sweep's schedule.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SimulationProperties.class)
@EnableScheduling
class SimulationConfiguration {

	@Bean(destroyMethod = "close")
	MonteCarloEngine monteCarloEngine() {
		return new MonteCarloEngine();
	}

}
