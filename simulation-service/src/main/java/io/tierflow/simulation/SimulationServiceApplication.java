package io.tierflow.simulation;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Monte Carlo simulations: models and runs, kept per tenant on the tenant's placement.
 */
@SpringBootApplication
public class SimulationServiceApplication {

	public static void main(String[] args) {
		SpringApplication.run(SimulationServiceApplication.class, args);
	}

}
