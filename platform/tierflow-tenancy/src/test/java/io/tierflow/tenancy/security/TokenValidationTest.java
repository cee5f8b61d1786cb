package io.tierflow.tenancy.security;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tokens as an attacker would forge them, against the decoder every service builds from
 * its properties, with the issuer's keys served as a JWK set over HTTP: only a token of
 * the right issuer, signed with its key in RS256, for the right audience, inside its
 * validity, is accepted.
 */
class TokenValidationTest {

	private static final String ISSUER = "https://id.tierflow.test";

	private static final RSAKey KEY = TokenIssuer.generateKey();

	private static HttpServer jwks;

	private static JwtDecoder decoder;

	@BeforeAll
	static void serveKeys() throws Exception {
		byte[] body = new JWKSet(KEY.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
		jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		jwks.createContext("/jwks", (exchange) -> {
			exchange.getResponseHeaders().add("Content-Type", "application/json");
			exchange.sendResponseHeaders(200, body.length);
			exchange.getResponseBody().write(body);
			exchange.close();
		});
		jwks.start();
		TierflowSecurityProperties properties = new TierflowSecurityProperties(ISSUER, List.of("tierflow"),
				"http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks", List.of("RS256"), Duration.ofSeconds(30),
				"tenant_id", "roles", "X-Tenant-Id", List.of());
		decoder = TokenValidation.decoder(properties, null);
	}

	@AfterAll
	static void stop() {
		jwks.stop(0);
	}

	@Test
	void acceptsATokenOfTheIssuerForItsAudience() {
		Jwt jwt = decoder.decode(
				new TokenIssuer(KEY, ISSUER).issue("alice", UUID.randomUUID(), List.of("USER"), Duration.ofMinutes(5)));
		assertThat(jwt.getSubject()).isEqualTo("alice");
	}

	@Test
	void refusesATokenOfAnotherIssuerWithAnotherKey() {
		String token = new TokenIssuer(TokenIssuer.generateKey(), "https://evil.test").issue("mallory", null,
				List.of("SYSTEM_ADMIN"), Duration.ofMinutes(5));
		assertThatThrownBy(() -> decoder.decode(token)).isInstanceOf(JwtException.class);
	}

	@Test
	void refusesATokenSignedWithTheKeyButNamingAnotherIssuer() {
		String token = new TokenIssuer(KEY, "https://evil.test").issue("mallory", null, List.of("SYSTEM_ADMIN"),
				Duration.ofMinutes(5));
		assertThatThrownBy(() -> decoder.decode(token)).isInstanceOf(JwtException.class).hasMessageContaining("iss");
	}

	@Test
	void refusesATokenForAnotherAudience() {
		String token = new TokenIssuer(KEY, ISSUER, "billing-ui").issue("alice", null, List.of("USER"),
				Duration.ofMinutes(5));
		assertThatThrownBy(() -> decoder.decode(token)).isInstanceOf(JwtException.class)
			.hasMessageContaining("audience");
	}

	@Test
	void refusesAnExpiredToken() throws Exception {
		Instant hourAgo = Instant.now().minusSeconds(3600);
		String token = signed(claims(hourAgo).build());
		assertThatThrownBy(() -> decoder.decode(token)).isInstanceOf(JwtException.class).hasMessageContaining("xpired");
	}

	@Test
	void refusesATokenNotValidYet() throws Exception {
		Instant now = Instant.now();
		String token = signed(claims(now).notBeforeTime(Date.from(now.plusSeconds(600))).build());
		assertThatThrownBy(() -> decoder.decode(token)).isInstanceOf(JwtException.class);
	}

	@Test
	void refusesATokenWithoutExpiry() throws Exception {
		String token = signed(claims(Instant.now()).expirationTime(null).build());
		assertThatThrownBy(() -> decoder.decode(token)).isInstanceOf(JwtException.class).hasMessageContaining("exp");
	}

	@Test
	void refusesAnUnsignedToken() {
		String token = new PlainJWT(claims(Instant.now()).build()).serialize();
		assertThatThrownBy(() -> decoder.decode(token)).isInstanceOf(JwtException.class);
	}

	@Test
	void refusesAnHmacTokenSignedWithThePublicKey() throws Exception {
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(KEY.getKeyID()).build(),
				claims(Instant.now()).build());
		jwt.sign(new MACSigner(KEY.toRSAPublicKey().getEncoded()));
		assertThatThrownBy(() -> decoder.decode(jwt.serialize())).isInstanceOf(JwtException.class);
	}

	@Test
	void refusesATamperedToken() {
		String token = new TokenIssuer(KEY, ISSUER).issue("alice", UUID.randomUUID(), List.of("USER"),
				Duration.ofMinutes(5));
		String[] parts = token.split("\\.");
		String forged = parts[0] + "."
				+ java.util.Base64.getUrlEncoder()
					.withoutPadding()
					.encodeToString(claims(Instant.now()).claim("roles", List.of("SYSTEM_ADMIN"))
						.build()
						.toString()
						.getBytes(StandardCharsets.UTF_8))
				+ "." + parts[2];
		assertThatThrownBy(() -> decoder.decode(forged)).isInstanceOf(JwtException.class);
	}

	@Test
	void refusesPropertiesThatWouldAcceptSymmetricOrNoSignatures() {
		assertThatThrownBy(() -> new TierflowSecurityProperties(ISSUER, List.of("tierflow"), null, List.of("HS256"),
				Duration.ZERO, "tenant_id", "roles", "X-Tenant-Id", List.of()))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("HS256");
		assertThatThrownBy(() -> new TierflowSecurityProperties(ISSUER, List.of(), null, List.of("RS256"),
				Duration.ZERO, "tenant_id", "roles", "X-Tenant-Id", List.of()))
			.isInstanceOf(IllegalArgumentException.class);
	}

	private static JWTClaimsSet.Builder claims(Instant now) {
		return new JWTClaimsSet.Builder().issuer(ISSUER)
			.subject("alice")
			.audience("tierflow")
			.issueTime(Date.from(now))
			.expirationTime(Date.from(now.plusSeconds(300)));
	}

	private static String signed(JWTClaimsSet claims) throws Exception {
		SignedJWT jwt = new SignedJWT(
				new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(KEY.getKeyID()).type(JOSEObjectType.JWT).build(),
				claims);
		jwt.sign(new RSASSASigner(KEY));
		return jwt.serialize();
	}

}
