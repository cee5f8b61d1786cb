package io.tierflow.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The one public entry of a Tierflow suite: routes each API path to its service and
 * balances over the service's instances (Spring Cloud Gateway Server Web MVC and
 * LoadBalancer), refuses requests without a valid token, and limits each tenant's request
 * rate by its tier, with buckets shared by every gateway instance (Bucket4j on
 * PostgreSQL).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class GatewayApplication {

	public static void main(String[] args) {
		SpringApplication.run(GatewayApplication.class, args);
	}

}
