package io.tierflow.billing;

import java.time.Clock;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Billing: usage events metered exactly once, priced per tier and invoiced per calendar
 * month, kept per tenant on the tenant's placement.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class BillingServiceApplication {

	public static void main(String[] args) {
		SpringApplication.run(BillingServiceApplication.class, args);
	}

	/** The time billing runs on: which month is open, when grace periods end. */
	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

}
