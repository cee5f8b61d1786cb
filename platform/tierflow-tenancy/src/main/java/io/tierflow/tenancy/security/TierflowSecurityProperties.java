package io.tierflow.tenancy.security;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How Tierflow verifies tokens and reads tenants and roles from them.
 *
 * <p>
 * A token is accepted only when it is signed (RS256 by default) by a key of the issuer's
 * JWK set, its {@code iss} is {@link #issuer}, its {@code aud} names one of
 * {@link #audiences}, and it carries {@code exp} and is within {@code exp} and
 * {@code nbf} (give or take {@link #clockSkew}). Tierflow's own issuer (tenant-service)
 * is the default; an outside OpenID Connect provider (Keycloak, Auth0, Entra ID) takes
 * its place by setting the issuer to its issuer URI and the claim names to its own (see
 * the README's "Sign-in" section).
 *
 * @param issuer the {@code iss} every token must carry: Tierflow's own issuer, or an
 * outside provider's issuer URI
 * @param audiences the {@code aud} values of which a token must carry one
 * @param jwkSetUri where the issuer's public keys are; when blank, Spring Boot's
 * {@code spring.security.oauth2.resourceserver.jwt.jwk-set-uri}, else discovered from the
 * issuer's OpenID configuration (an {@code https} issuer URI)
 * @param algorithms the signature algorithms accepted; {@code none} and HMAC never are
 * @param clockSkew how far {@code exp} and {@code nbf} may be off
 * @param tenantClaim claim holding the tenant id
 * @param rolesClaim claim holding the roles ({@code SYSTEM_ADMIN}, {@code TENANT_ADMIN},
 * {@code USER}); a dotted path reads a nested claim, like Keycloak's
 * {@code realm_access.roles}
 * @param tenantHeader header with which a system admin selects a tenant
 * @param publicPaths paths served without a token
 */
@ConfigurationProperties("tierflow.security")
public record TierflowSecurityProperties(@DefaultValue(TierflowSecurityProperties.DEFAULT_ISSUER) String issuer,
		@DefaultValue("tierflow") List<String> audiences, String jwkSetUri,
		@DefaultValue("RS256") List<String> algorithms, @DefaultValue("30s") Duration clockSkew,
		@DefaultValue("tenant_id") String tenantClaim, @DefaultValue("roles") String rolesClaim,
		@DefaultValue("X-Tenant-Id") String tenantHeader, @DefaultValue( {
				"/livez", "/readyz", "/.well-known/**", "/v3/api-docs/**", "/error" }) List<String> publicPaths){

	/**
	 * The issuer of {@code ./tierflow run}: tenant-service's authorization server behind
	 * the gateway. An issuer is a URL (OAuth 2.0 metadata, RFC 8414); in production it is
	 * tenant-service's public URL.
	 */
	public static final String DEFAULT_ISSUER = "http://localhost:8000";

	/** Role of platform operators, the only ones who may act for any tenant. */
	public static final String SYSTEM_ADMIN = "SYSTEM_ADMIN";

	public TierflowSecurityProperties {
		if (issuer == null || issuer.isBlank()) {
			throw new IllegalArgumentException("tierflow.security.issuer must name the issuer tokens must come from");
		}
		if (audiences == null || audiences.isEmpty() || audiences.stream().anyMatch(String::isBlank)) {
			throw new IllegalArgumentException("tierflow.security.audiences must name at least one audience");
		}
		if (algorithms == null || algorithms.isEmpty()) {
			algorithms = List.of("RS256");
		}
		for (String algorithm : algorithms) {
			if (!algorithm.matches("(RS|PS|ES)(256|384|512)")) {
				throw new IllegalArgumentException("tierflow.security.algorithms: " + algorithm
						+ " is not an asymmetric signature algorithm (RS*, PS*, ES*)");
			}
		}
		if (clockSkew == null || clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(5)) > 0) {
			throw new IllegalArgumentException("tierflow.security.clock-skew must be between 0 and 5 minutes");
		}
	}

}
