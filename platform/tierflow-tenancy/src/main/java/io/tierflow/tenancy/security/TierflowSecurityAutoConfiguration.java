package io.tierflow.tenancy.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import io.tierflow.tenancy.web.Problems;
import io.tierflow.tenancy.web.TenantResolutionFilter;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.convert.converter.Converter;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
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
 * roles come from its {@code roles} claim, and the tenant from its tenant claim.
 * Authentication and authorization failures are answered as problem+json.
 */
@AutoConfiguration(beforeName = {
		"org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
		"org.springframework.boot.security.oauth2.server.resource.autoconfigure.servlet.OAuth2ResourceServerAutoConfiguration" })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties(TierflowSecurityProperties.class)
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

	@Bean
	@ConditionalOnMissingBean(SecurityFilterChain.class)
	SecurityFilterChain tierflowSecurityFilterChain(HttpSecurity http, TierflowSecurityProperties properties)
			throws Exception {
		JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
		converter.setJwtGrantedAuthoritiesConverter(new RolesConverter(properties.rolesClaim()));
		http.csrf((csrf) -> csrf.disable())
			.sessionManagement((s) -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.authorizeHttpRequests((a) -> a.requestMatchers(properties.publicPaths().toArray(String[]::new))
				.permitAll()
				// Metrics, environment, loggers: operators' only; health stays public.
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
	 * Maps the roles claim to {@code ROLE_*} authorities; a dotted claim name reads a
	 * nested claim ({@code realm_access.roles}).
	 */
	static class RolesConverter implements Converter<Jwt, Collection<GrantedAuthority>> {

		private final String[] path;

		RolesConverter(String claim) {
			this.path = claim.split("\\.");
		}

		@Override
		public Collection<GrantedAuthority> convert(Jwt jwt) {
			Object value = jwt.getClaims();
			for (String name : this.path) {
				value = (value instanceof Map<?, ?> map) ? map.get(name) : null;
			}
			List<GrantedAuthority> authorities = new ArrayList<>();
			if (value instanceof Collection<?> roles) {
				for (Object role : roles) {
					if (role instanceof String r && !r.isBlank()) {
						authorities.add(new SimpleGrantedAuthority("ROLE_" + r));
					}
				}
			}
			else if (value instanceof String r && !r.isBlank()) {
				// Some providers send one role as a string, or several separated by
				// spaces.
				for (String one : r.trim().split("\\s+")) {
					authorities.add(new SimpleGrantedAuthority("ROLE_" + one));
				}
			}
			return authorities;
		}

	}

}
