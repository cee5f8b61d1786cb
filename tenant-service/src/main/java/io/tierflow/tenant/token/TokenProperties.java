package io.tierflow.tenant.token;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Token issuing of tenant-service.
 *
 * @param issuer the {@code iss} of issued tokens; by default the issuer every service
 * expects ({@code tierflow.security.issuer})
 * @param keyPath a signing key (JWK) kept by earlier versions: imported as the first key
 * when the database has none; the keys live in the database (signing_key) and rotate
 * @param devIssuer whether {@code POST /api/v1/dev/tokens} hands out tokens to anyone who
 * asks from this machine: for {@code ./tierflow run} only; tenant-service refuses to
 * start with it unless the {@code dev} profile is active, and answers it only to loopback
 * clients
 */
@ConfigurationProperties("tierflow.tokens")
public record TokenProperties(String issuer, String keyPath, @DefaultValue("false") boolean devIssuer) {
}
