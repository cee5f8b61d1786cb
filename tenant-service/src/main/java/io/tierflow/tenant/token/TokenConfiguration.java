package io.tierflow.tenant.token;

import java.util.List;
import java.util.function.Supplier;

import com.nimbusds.jose.jwk.RSAKey;
import io.tierflow.tenancy.security.TierflowSecurityProperties;
import io.tierflow.tenancy.security.TokenIssuer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The signing keys, the issuer, and the decoder with which tenant-service checks its own
 * tokens.
 */
@Configuration(proxyBeanMethods = false)
class TokenConfiguration {

	@Bean
	SigningKeys signingKeys(JdbcClient jdbc, PlatformTransactionManager transactions, TokenProperties properties) {
		return new SigningKeys(jdbc, new TransactionTemplate(transactions), properties.keyPath());
	}

	@Bean
	SigningKeySource signingKeySource(SigningKeys keys) {
		return new SigningKeySource(keys);
	}

	@Bean
	TokenIssuer tokenIssuer(TokenProperties properties, TierflowSecurityProperties security, Environment environment,
			SigningKeys keys) {
		return issuer(properties, security, environment, keys::keys);
	}

	@Bean
	JwtDecoder jwtDecoder(TokenIssuer issuer) {
		return issuer.decoder();
	}

	/**
	 * Signs as the issuer every service expects, for the first audience they accept.
	 * @throws IllegalStateException if the development issuer is enabled outside the
	 * {@code dev} profile
	 */
	static TokenIssuer issuer(TokenProperties properties, TierflowSecurityProperties security, Environment environment,
			Supplier<List<RSAKey>> keys) {
		if (properties.devIssuer() && !environment.matchesProfiles("dev")) {
			throw new IllegalStateException("tierflow.tokens.dev-issuer (TIERFLOW_DEV_TOKENS) hands out tokens to"
					+ " anyone: it is for ./tierflow run only and needs the dev profile (SPRING_PROFILES_ACTIVE=dev)");
		}
		String issuer = (properties.issuer() != null && !properties.issuer().isBlank()) ? properties.issuer()
				: security.issuer();
		return new TokenIssuer(keys, issuer, security.audiences().get(0));
	}

}
