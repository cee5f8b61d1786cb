package io.tierflow.tenancy.security;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;

import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

/**
 * Signs Tierflow tokens (RS256) and publishes the public half as a JWKS. tenant-service
 * uses it to issue development tokens; tests use it to act as any tenant, or as an
 * attacker.
 *
 * <p>
 * The keys may rotate: they come from a supplier whose first key signs, and every key it
 * gives is published and verified, so tokens signed with a previous key stay valid while
 * that key is still given.
 */
public class TokenIssuer {

	private final Supplier<List<RSAKey>> keys;

	/** The audience of Tierflow's own tokens: every Tierflow service. */
	public static final String AUDIENCE = "tierflow";

	private final String issuer;

	private final String audience;

	private final NimbusJwtEncoder encoder;

	public TokenIssuer(RSAKey key, String issuer) {
		this(key, issuer, AUDIENCE);
	}

	public TokenIssuer(RSAKey key, String issuer, String audience) {
		this(() -> List.of(key), issuer, audience);
	}

	/**
	 * @param keys the keys, newest first: the first signs, all are published and verified
	 */
	public TokenIssuer(Supplier<List<RSAKey>> keys, String issuer, String audience) {
		this.keys = keys;
		this.issuer = issuer;
		this.audience = audience;
		this.encoder = new NimbusJwtEncoder((selector, context) -> selector.select(new JWKSet(signingKey())));
	}

	private RSAKey signingKey() {
		return this.keys.get().get(0);
	}

	/** A fresh 2048-bit RSA signing key. */
	public static RSAKey generateKey() {
		try {
			return new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("Cannot generate an RSA key", ex);
		}
	}

	/**
	 * A signed token for {@code subject}.
	 * @param tenantId the tenant it acts for, or null for a system admin acting for none
	 */
	public String issue(String subject, UUID tenantId, Collection<String> roles, Duration ttl) {
		return issue(subject, tenantId, roles, ttl, null);
	}

	/**
	 * As {@link #issue(String, UUID, Collection, Duration)}, with the tenant's tier, by
	 * which the gateway sizes its rate limit.
	 */
	public String issue(String subject, UUID tenantId, Collection<String> roles, Duration ttl, String tier) {
		Instant now = Instant.now();
		JwtClaimsSet.Builder claims = JwtClaimsSet.builder()
			.issuer(this.issuer)
			.subject(subject)
			.audience(List.of(this.audience))
			.issuedAt(now)
			.notBefore(now)
			.expiresAt(now.plus(ttl))
			.id(UUID.randomUUID().toString())
			.claim("roles", List.copyOf(roles));
		if (tier != null) {
			claims.claim("tier", tier);
		}
		if (tenantId != null) {
			claims.claim("tenant_id", tenantId.toString());
		}
		JwsHeader header = JwsHeader.with(SignatureAlgorithm.RS256).keyId(signingKey().getKeyID()).build();
		return this.encoder.encode(JwtEncoderParameters.from(header, claims.build())).getTokenValue();
	}

	/**
	 * Signs exactly {@code claims}, whatever they say: for tests that forge tokens with
	 * the issuer's own key (expired, not valid yet, without expiry).
	 */
	public String sign(Map<String, Object> claims) {
		JwtClaimsSet set = JwtClaimsSet.builder().claims((c) -> c.putAll(claims)).build();
		JwsHeader header = JwsHeader.with(SignatureAlgorithm.RS256).keyId(signingKey().getKeyID()).build();
		return this.encoder.encode(JwtEncoderParameters.from(header, set)).getTokenValue();
	}

	/** The public keys, as served at {@code /.well-known/jwks.json}. */
	public Map<String, Object> publicJwks() {
		return new JWKSet(this.keys.get().stream().map((k) -> (JWK) k.toPublicJWK()).toList()).toJSONObject();
	}

	/**
	 * A decoder that accepts exactly this issuer's tokens, checked as every service
	 * checks them ({@link TokenValidation}).
	 */
	public JwtDecoder decoder() {
		NimbusJwtDecoder decoder = NimbusJwtDecoder
			.withJwkSource((selector, context) -> selector
				.select(new JWKSet(this.keys.get().stream().map((k) -> (JWK) k.toPublicJWK()).toList())))
			.jwsAlgorithm(SignatureAlgorithm.RS256)
			.build();
		decoder.setJwtValidator(TokenValidation.validator(this.issuer, List.of(this.audience), Duration.ofSeconds(30)));
		return decoder;
	}

	public String issuer() {
		return this.issuer;
	}

	public String audience() {
		return this.audience;
	}

}
