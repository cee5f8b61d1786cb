package io.tierflow.tenant.token;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;

import com.nimbusds.jose.jwk.RSAKey;
import io.tierflow.tenancy.security.TierflowSecurityProperties;
import io.tierflow.tenancy.security.TokenIssuer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/**
 * The signing key, the issuer, and the decoder with which tenant-service checks its own
 * tokens.
 */
@Configuration(proxyBeanMethods = false)
class TokenConfiguration {

	/**
	 * Signs as the issuer every service expects, for the first audience they accept.
	 * @throws IllegalStateException if the development issuer is enabled outside the
	 * {@code dev} profile
	 */
	@Bean
	TokenIssuer tokenIssuer(TokenProperties properties, TierflowSecurityProperties security, Environment environment) {
		if (properties.devIssuer() && !environment.matchesProfiles("dev")) {
			throw new IllegalStateException("tierflow.tokens.dev-issuer (TIERFLOW_DEV_TOKENS) hands out tokens to"
					+ " anyone: it is for ./tierflow run only and needs the dev profile (SPRING_PROFILES_ACTIVE=dev)");
		}
		String issuer = (properties.issuer() != null && !properties.issuer().isBlank()) ? properties.issuer()
				: security.issuer();
		return new TokenIssuer(key(properties), issuer, security.audiences().get(0));
	}

	@Bean
	JwtDecoder jwtDecoder(TokenIssuer issuer) {
		return issuer.decoder();
	}

	private static RSAKey key(TokenProperties properties) {
		if (properties.keyPath() == null || properties.keyPath().isBlank()) {
			return TokenIssuer.generateKey();
		}
		Path path = Path.of(properties.keyPath());
		try {
			if (Files.exists(path)) {
				return RSAKey.parse(Files.readString(path));
			}
			RSAKey key = TokenIssuer.generateKey();
			if (path.toAbsolutePath().getParent() != null) {
				Files.createDirectories(path.toAbsolutePath().getParent());
			}
			Files.writeString(path, key.toJSONString());
			return key;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (ParseException ex) {
			throw new IllegalStateException("Signing key at " + properties.keyPath() + " is not a JWK", ex);
		}
	}

}
