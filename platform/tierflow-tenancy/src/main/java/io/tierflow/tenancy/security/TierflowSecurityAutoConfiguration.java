package io.tierflow.tenancy.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.tierflow.tenancy.web.Problems;
import io.tierflow.tenancy.web.TenantResolutionFilter;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.core.convert.converter.Converter;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Every Tierflow service is an OAuth2 resource server: requests carry a verified JWT,
 * roles come from its {@code roles} claim, and the tenant from its tenant claim. A token
 * holds {@code ROLE_<role>} for each of its roles and the permissions those roles grant
 * ({@link RolePermissions}), which every endpoint checks with method security
 * ({@code @PreAuthorize("hasAuthority('models:write')")}). Authentication and
 * authorization failures are answered as problem+json.
 */
@AutoConfiguration(beforeName = {
		"org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
		"org.springframework.boot.security.oauth2.server.resource.autoconfigure.servlet.OAuth2ResourceServerAutoConfiguration" })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties({ TierflowSecurityProperties.class, RolePermissions.class })
@EnableMethodSecurity
public class TierflowSecurityAutoConfiguration {

	/**
	 * Verifies tokens as {@link TokenValidation} says. A service that issues its own
	 * tokens (tenant-service) or a test may declare its own decoder instead.
	 */
	@Bean
	@ConditionalOnMissingBean(JwtDecoder.class)
	JwtDecoder tierflowJwtDecoder(TierflowSecurityProperties properties, Environment environment) {
		return TokenValidation.decoder(properties,
				environment.getProperty("spring.security.oauth2.resourceserver.jwt.jwk-set-uri"));
	}

	/**
	 * Turns a verified token into roles and the permissions they grant. A bean, so that a
	 * chain of a service's own that accepts bearer tokens gets the same authorities:
	 * Spring Security uses it for any resource server configured without a converter.
	 */
	@Bean
	@ConditionalOnMissingBean(JwtAuthenticationConverter.class)
	JwtAuthenticationConverter tierflowJwtAuthenticationConverter(TierflowSecurityProperties properties,
			RolePermissions permissions) {
		JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
		converter.setJwtGrantedAuthoritiesConverter(new RolesConverter(properties.rolesClaim(), permissions));
		return converter;
	}

	/**
	 * The API's chain, last in order: a service may put chains of its own before it (the
	 * authorization server's endpoints and sign-in page in tenant-service), each matching
	 * only its own paths.
	 */
	@Bean
	@ConditionalOnMissingBean(name = "tierflowSecurityFilterChain")
	@Order(SecurityFilterProperties.BASIC_AUTH_ORDER)
	SecurityFilterChain tierflowSecurityFilterChain(HttpSecurity http, TierflowSecurityProperties properties,
			JwtAuthenticationConverter converter) throws Exception {
		http.csrf((csrf) -> csrf.disable())
			.sessionManagement((s) -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.authorizeHttpRequests((a) -> a.requestMatchers(properties.publicPaths().toArray(String[]::new))
				.permitAll()
				// The actuator, health included, is served on the management port (this
				// chain guards it there too): operators' only. Load balancers and probes
				// use /livez and /readyz on the main port, public and without details.
				.requestMatchers("/actuator/**")
				.hasRole(TierflowSecurityProperties.SYSTEM_ADMIN)
				.anyRequest()
				.authenticated())
			.oauth2ResourceServer((o) -> o.jwt((j) -> j.jwtAuthenticationConverter(converter))
				.authenticationEntryPoint((req, res, ex) -> Problems.write(req, res, HttpStatus.UNAUTHORIZED,
						"Unauthorized", "A valid bearer token is required"))
				.accessDeniedHandler((req, res, ex) -> Problems.write(req, res, HttpStatus.FORBIDDEN, "Forbidden",
						"The token does not allow this request")))
			.exceptionHandling((e) -> e
				.authenticationEntryPoint((req, res, ex) -> Problems.write(req, res, HttpStatus.UNAUTHORIZED,
						"Unauthorized", "A valid bearer token is required"))
				.accessDeniedHandler((req, res, ex) -> Problems.write(req, res, HttpStatus.FORBIDDEN, "Forbidden",
						"The token does not allow this request")))
			.addFilterAfter(new TenantResolutionFilter(properties), BearerTokenAuthenticationFilter.class);
		return http.build();
	}

	/**
	 * Maps the roles claim to a {@code ROLE_*} authority per role and the role's
	 * permissions; a role {@link RolePermissions} does not know grants nothing. A dotted
	 * claim name reads a nested claim ({@code realm_access.roles}).
	 */
	static class RolesConverter implements Converter<Jwt, Collection<GrantedAuthority>> {

		private final String[] path;

		private final RolePermissions permissions;

		RolesConverter(String claim, RolePermissions permissions) {
			this.path = claim.split("\\.");
			this.permissions = permissions;
		}

		@Override
		public Collection<GrantedAuthority> convert(Jwt jwt) {
			Object value = jwt.getClaims();
			for (String name : this.path) {
				value = (value instanceof Map<?, ?> map) ? map.get(name) : null;
			}
			Set<String> authorities = new LinkedHashSet<>();
			for (String role : roles(value)) {
				if (this.permissions.knows(role)) {
					authorities.add("ROLE_" + role);
					authorities.addAll(this.permissions.permissionsOf(role));
				}
			}
			List<GrantedAuthority> granted = new ArrayList<>();
			authorities.forEach((a) -> granted.add(new SimpleGrantedAuthority(a)));
			return granted;
		}

		private static List<String> roles(Object claim) {
			List<String> roles = new ArrayList<>();
			if (claim instanceof Collection<?> values) {
				for (Object role : values) {
					if (role instanceof String r && !r.isBlank()) {
						roles.add(r.trim());
					}
				}
			}
			else if (claim instanceof String r && !r.isBlank()) {
				// Some providers send one role as a string, or several separated by
				// spaces.
				roles.addAll(List.of(r.trim().split("\\s+")));
			}
			return roles;
		}

	}

}
