package io.tierflow.tenancy.security;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How Tierflow reads tenants and roles from verified tokens.
 *
 * @param tenantClaim claim holding the tenant id
 * @param rolesClaim claim holding the roles ({@code SYSTEM_ADMIN}, {@code TENANT_ADMIN},
 * {@code USER})
 * @param tenantHeader header with which a system admin selects a tenant
 * @param publicPaths paths served without a token
 */
@ConfigurationProperties("tierflow.security")
public record TierflowSecurityProperties(@DefaultValue("tenant_id") String tenantClaim,
		@DefaultValue("roles") String rolesClaim, @DefaultValue("X-Tenant-Id") String tenantHeader, @DefaultValue( {
				"/actuator/health/**", "/actuator/info", "/.well-known/**", "/v3/api-docs/**",
				"/error" }) List<String> publicPaths){

	/** Role of platform operators, the only ones who may act for any tenant. */
	public static final String SYSTEM_ADMIN = "SYSTEM_ADMIN";

}
