package io.tierflow.tenancy.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.tierflow.tenancy.web.Problems;
import io.tierflow.tenancy.web.TenantResolutionFilter;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.convert.converter.Converter;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Every Tierflow service is an OAuth2 resource server: requests carry a verified JWT,
 * roles come from its {@code roles} claim, and the tenant from its tenant claim.
 * Authentication and authorization failures are answered as problem+json.
 */
@AutoConfiguration(
		beforeName = "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties(TierflowSecurityProperties.class)
public class TierflowSecurityAutoConfiguration {

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

	/** Maps the roles claim to {@code ROLE_*} authorities. */
	static class RolesConverter implements Converter<Jwt, Collection<GrantedAuthority>> {

		private final String claim;

		RolesConverter(String claim) {
			this.claim = claim;
		}

		@Override
		public Collection<GrantedAuthority> convert(Jwt jwt) {
			List<String> roles = jwt.getClaimAsStringList(this.claim);
			List<GrantedAuthority> authorities = new ArrayList<>();
			if (roles != null) {
				roles.forEach((r) -> authorities.add(new SimpleGrantedAuthority("ROLE_" + r)));
			}
			return authorities;
		}

	}

}
