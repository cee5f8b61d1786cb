package io.tierflow.tenant;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;

/**
 * The control plane: tenants, plans and tiers, users, lifecycle sagas, development
 * tokens.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableMethodSecurity
public class TenantServiceApplication {

	public static void main(String[] args) {
		SpringApplication.run(TenantServiceApplication.class, args);
	}

}
