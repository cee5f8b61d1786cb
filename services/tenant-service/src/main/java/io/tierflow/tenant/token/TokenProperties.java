package io.tierflow.tenant.token;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Token issuing of tenant-service.
 *
 * @param issuer the {@code iss} of issued tokens
 * @param keyPath where the signing key (JWK) is kept across restarts; generated when
 * absent
 * @param devIssuer whether {@code POST /api/v1/dev/tokens} hands out tokens to anyone:
 * for local development and the quickstart only, never in production
 */
@ConfigurationProperties("tierflow.tokens")
public record TokenProperties(@DefaultValue("tierflow") String issuer, String keyPath,
		@DefaultValue("false") boolean devIssuer) {
}
