package io.tierflow.servicetest;

import java.time.Duration;
import java.util.List;

import io.tierflow.tenancy.security.TierflowSecurityProperties;
import io.tierflow.tenancy.security.TokenIssuer;
import io.tierflow.tenancy.security.TokenValidation;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/**
 * Makes a service under test trust {@link ServiceTestInfrastructure#TOKENS}, verified the
 * way every service verifies tokens in production ({@link TokenValidation}): keys fetched
 * from a JWK set URI, issuer, audience, expiry and not-before checked.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestTokenDecoderConfiguration {

	@Bean
	JwtDecoder testJwtDecoder() {
		TokenIssuer tokens = ServiceTestInfrastructure.TOKENS;
		return TokenValidation.decoder(new TierflowSecurityProperties(tokens.issuer(), List.of(tokens.audience()),
				ServiceTestInfrastructure.jwksUri(), List.of("RS256"), Duration.ofSeconds(30), "tenant_id", "roles",
				"X-Tenant-Id", List.of()), null);
	}

}
