package io.tierflow.tenant.token;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.tenancy.security.TierflowSecurityProperties;
import io.tierflow.tenancy.security.TokenIssuer;
import io.tierflow.tenancy.security.TokenValidation;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Rotating tenant-service's signing key: tokens signed before stay valid in
 * tenant-service and in a service that verifies them through the JWKS, new tokens carry
 * the new key, which such a service fetches when it first sees it; a second rotation
 * retires the first key and its tokens. Only system admins rotate, and each rotation is
 * audited.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SigningKeyRotationIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) throws Exception {
		PostgresServer pg = TestPostgres.get();
		pg.dropDatabase("tenantkeys");
		pg.createDatabase("tenantkeys");
		registry.add("spring.datasource.url", () -> pg.jdbcUrl("tenantkeys"));
		registry.add("spring.datasource.username", pg::adminUser);
		registry.add("spring.datasource.password", pg::adminPassword);
		ServiceTestInfrastructure.kafka(registry);
		String archives = Files.createTempDirectory("tierflow-archives-keys").toString();
		registry.add("tierflow.tenants.archives", () -> archives);
	}

	@LocalServerPort
	int port;

	@Autowired
	TokenIssuer tokens;

	@Autowired
	JdbcClient jdbc;

	ApiClient api;

	@BeforeEach
	void client() {
		this.api = new ApiClient(this.port);
	}

	@Test
	void tokensOfThePreviousKeyStayValidUntilTheKeyIsRetired() throws Exception {
		String first = admin();
		String firstKid = kids().get(0);
		JwtDecoder service = remoteDecoder();
		assertThat(service.decode(first).getHeaders()).containsEntry("kid", firstKid);

		JsonNode rotated = JSON.readTree(this.api.post("/api/v1/admin/signing-keys/rotate", first, "{}").body());
		assertThat(rotated.get("previous").asString()).isEqualTo(firstKid);
		String secondKid = rotated.get("kid").asString();
		assertThat(kids()).containsExactly(secondKid, firstKid);

		String second = admin();
		// A service that has only seen the first key fetches the set again for the new
		// one, and keeps accepting the first.
		assertThat(service.decode(second).getHeaders()).containsEntry("kid", secondKid);
		assertThat(service.decode(first).getSubject()).isEqualTo("operator");
		assertThat(this.api.get("/api/v1/tenants", first).status()).isEqualTo(200);
		assertThat(this.api.get("/api/v1/tenants", second).status()).isEqualTo(200);

		JsonNode again = JSON.readTree(this.api.post("/api/v1/admin/signing-keys/rotate", second, "{}").body());
		assertThat(again.get("retired").asInt()).isEqualTo(1);
		assertThat(kids()).containsExactly(again.get("kid").asString(), secondKid);
		assertThat(this.api.get("/api/v1/tenants", first).status()).isEqualTo(401);
		assertThatThrownBy(() -> remoteDecoder().decode(first)).isInstanceOf(JwtException.class);
		assertThat(this.api.get("/api/v1/tenants", second).status()).isEqualTo(200);

		assertThat(this.jdbc.sql("select count(*) from audit_record where action = 'signing_key.rotate'")
			.query(Long.class)
			.single()).isEqualTo(2);
	}

	@Test
	void onlySystemAdminsRotate() {
		String tenantAdmin = this.tokens.issue("alice", java.util.UUID.randomUUID(), List.of("TENANT_ADMIN"),
				Duration.ofMinutes(5));
		assertThat(this.api.post("/api/v1/admin/signing-keys/rotate", tenantAdmin, "{}").status()).isEqualTo(403);
		assertThat(this.api.post("/api/v1/admin/signing-keys/rotate", null, "{}").status()).isEqualTo(401);
	}

	private String admin() {
		return this.tokens.issue("operator", null, List.of("SYSTEM_ADMIN"), Duration.ofMinutes(5));
	}

	private List<String> kids() throws Exception {
		JsonNode jwks = JSON.readTree(this.api.get("/.well-known/jwks.json", null).body());
		return jwks.get("keys").valueStream().map((k) -> k.get("kid").asString()).toList();
	}

	/** How another service verifies tenant-service's tokens: through its JWKS. */
	private JwtDecoder remoteDecoder() {
		return TokenValidation.decoder(new TierflowSecurityProperties(this.tokens.issuer(),
				List.of(this.tokens.audience()), "http://127.0.0.1:" + this.port + "/.well-known/jwks.json",
				List.of("RS256"), Duration.ofSeconds(30), "tenant_id", "roles", "X-Tenant-Id", List.of()), null);
	}

}
