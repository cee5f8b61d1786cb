package io.tierflow.analytics;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;

/**
 * Usage analytics: dashboards and per-tenant daily aggregates of every domain event, kept
 * per tenant on the tenant's placement; a cross-tenant overview for system admins.
 */
@SpringBootApplication
@EnableMethodSecurity
public class AnalyticsServiceApplication {

	public static void main(String[] args) {
		SpringApplication.run(AnalyticsServiceApplication.class, args);
	}

}
