package io.tierflow.file;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.tierflow.servicetest.ApiClient.Response;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.security.TokenIssuer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A running service refuses, with a 401 problem, every token an attacker can make without
 * the issuer's private key or past its validity: another issuer's, one for another
 * audience, an expired one, an unsigned one, an HMAC one "signed" with the public key,
 * one whose claims were edited. The tenant's own token works; the refused ones would have
 * worked but for what is wrong with them (same tenant, same roles).
 */
class ForgedTokensIT extends RunningFileService {

	private static final String USAGE = "/api/v1/files/usage";

	@Test
	void servesTheTenantsOwnToken() {
		UUID tenant = provision(Tier.SHARED);
		assertThat(this.api.get(USAGE, ServiceTestInfrastructure.token(tenant, "TENANT_ADMIN")).status())
			.isEqualTo(200);
	}

	@Test
	void refusesATokenOfAnotherIssuerWithAnotherKey() {
		UUID tenant = provision(Tier.SHARED);
		refused(new TokenIssuer(TokenIssuer.generateKey(), "https://evil.test").issue("mallory", tenant,
				List.of("TENANT_ADMIN"), Duration.ofMinutes(5)));
	}

	@Test
	void refusesATokenForAnotherAudience() {
		UUID tenant = provision(Tier.SHARED);
		Map<String, Object> claims = claimMap(tenant);
		claims.put("aud", List.of("another-api"));
		refused(ServiceTestInfrastructure.TOKENS.sign(claims));
	}

	@Test
	void refusesATokenNamingAnotherIssuer() {
		UUID tenant = provision(Tier.SHARED);
		Map<String, Object> claims = claimMap(tenant);
		claims.put("iss", "https://evil.test");
		refused(ServiceTestInfrastructure.TOKENS.sign(claims));
	}

	@Test
	void refusesAnExpiredToken() {
		UUID tenant = provision(Tier.SHARED);
		Instant hourAgo = Instant.now().minusSeconds(3600);
		Map<String, Object> claims = claimMap(tenant);
		claims.put("iat", hourAgo);
		claims.put("exp", hourAgo.plusSeconds(300));
		refused(ServiceTestInfrastructure.TOKENS.sign(claims));
	}

	@Test
	void refusesATokenNotValidYet() {
		UUID tenant = provision(Tier.SHARED);
		Map<String, Object> claims = claimMap(tenant);
		claims.put("nbf", Instant.now().plusSeconds(600));
		refused(ServiceTestInfrastructure.TOKENS.sign(claims));
	}

	@Test
	void refusesATokenWithoutExpiry() {
		UUID tenant = provision(Tier.SHARED);
		Map<String, Object> claims = claimMap(tenant);
		claims.remove("exp");
		refused(ServiceTestInfrastructure.TOKENS.sign(claims));
	}

	@Test
	void servesATokenSignedFromTheSameClaims() {
		// The forgeries above differ from this one only where the test says.
		UUID tenant = provision(Tier.SHARED);
		assertThat(this.api.get(USAGE, ServiceTestInfrastructure.TOKENS.sign(claimMap(tenant))).status())
			.isEqualTo(200);
	}

	@Test
	void refusesAnUnsignedToken() {
		UUID tenant = provision(Tier.SHARED);
		refused(new PlainJWT(claims(tenant).build()).serialize());
	}

	@Test
	void refusesAnHmacTokenSignedWithThePublicKey() throws Exception {
		UUID tenant = provision(Tier.SHARED);
		RSAKey key = (RSAKey) JWKSet.parse(ServiceTestInfrastructure.TOKENS.publicJwks()).getKeys().get(0);
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID()).build(),
				claims(tenant).build());
		jwt.sign(new MACSigner(key.toRSAPublicKey().getEncoded()));
		refused(jwt.serialize());
	}

	@Test
	void refusesATokenWhoseClaimsWereEdited() {
		UUID tenant = provision(Tier.SHARED);
		String[] parts = ServiceTestInfrastructure.token(tenant, "USER").split("\\.");
		String edited = Base64.getUrlEncoder()
			.withoutPadding()
			.encodeToString(claims(tenant).claim("roles", List.of("SYSTEM_ADMIN"))
				.build()
				.toString()
				.getBytes(StandardCharsets.UTF_8));
		refused(parts[0] + "." + edited + "." + parts[2]);
	}

	private void refused(String token) {
		Response response = this.api.get(USAGE, token);
		assertThat(response.status()).isEqualTo(401);
		assertThat(response.isProblem()).isTrue();
	}

	/** Claims that would pass but for what each test changes. */
	private static JWTClaimsSet.Builder claims(UUID tenant) {
		Instant now = Instant.now();
		return new JWTClaimsSet.Builder().issuer(ServiceTestInfrastructure.TOKENS.issuer())
			.subject("alice")
			.audience(ServiceTestInfrastructure.TOKENS.audience())
			.issueTime(Date.from(now))
			.expirationTime(Date.from(now.plusSeconds(300)))
			.claim("tenant_id", tenant.toString())
			.claim("roles", List.of("TENANT_ADMIN"));
	}

	/**
	 * The same claims as a map, for
	 * {@link io.tierflow.tenancy.security.TokenIssuer#sign}.
	 */
	private static Map<String, Object> claimMap(UUID tenant) {
		Instant now = Instant.now();
		Map<String, Object> claims = new HashMap<>();
		claims.put("iss", ServiceTestInfrastructure.TOKENS.issuer());
		claims.put("sub", "alice");
		claims.put("aud", List.of(ServiceTestInfrastructure.TOKENS.audience()));
		claims.put("iat", now);
		claims.put("exp", now.plusSeconds(300));
		claims.put("tenant_id", tenant.toString());
		claims.put("roles", List.of("TENANT_ADMIN"));
		return claims;
	}

}
