package io.tierflow.tenant.identity;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.stream.Collectors;

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
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Sign-in at tenant-service's authorization server, as clients do it over HTTP: a new
 * user sets a password with the invitation token sent to them, signs in through the
 * console's authorization code flow with PKCE, and gets tokens the services accept
 * (checked as another service checks them, through the JWKS); refresh tokens rotate and
 * die with their user. A tenant admin's machine client gets client-credentials tokens for
 * its tenant and roles until it is deleted.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "tierflow.identity.console.client-secret=" + IdentityIT.CONSOLE_SECRET,
				"tierflow.identity.console.redirect-uris=" + IdentityIT.REDIRECT,
				"tierflow.identity.operator-clients[0].client-id=ops-scraper",
				"tierflow.identity.operator-clients[0].client-secret=" + IdentityIT.OPERATOR_SECRET,
				"tierflow.identity.operator-clients[0].roles=SYSTEM_ADMIN" })
class IdentityIT {

	static final String CONSOLE_SECRET = "console-test-secret";

	static final String REDIRECT = "http://127.0.0.1:9/console/callback";

	static final String OPERATOR_SECRET = "operator-secret-of-24-chars-or-more";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) throws Exception {
		PostgresServer pg = TestPostgres.get();
		pg.dropDatabase("tenantidentity");
		pg.createDatabase("tenantidentity");
		registry.add("spring.datasource.url", () -> pg.jdbcUrl("tenantidentity"));
		registry.add("spring.datasource.username", pg::adminUser);
		registry.add("spring.datasource.password", pg::adminPassword);
		ServiceTestInfrastructure.kafka(registry);
		String archives = Files.createTempDirectory("tierflow-archives-identity").toString();
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
	void anInvitedUserSetsAPasswordSignsInWithPkceAndLosesTheRefreshTokenWhenDeleted() throws Exception {
		Tenant tenant = activeTenant();
		UUID userId = createUser(tenant, "ada@example.com", "USER");
		String invitation = tokenFrom(tenant.id(), userId, "PASSWORD_INVITATION");

		// Not yet: no password, so no sign-in.
		assertThat(signIn(tenant.slug() + "/ada@example.com", "correct horse battery").code()).isNull();

		assertThat(this.api.post("/api/v1/passwords", null, setPassword(invitation, "short")).status()).isEqualTo(400);
		assertThat(this.api.post("/api/v1/passwords", null, setPassword(invitation, "correct horse battery")).status())
			.isEqualTo(204);
		// A token is used once.
		assertThat(this.api.post("/api/v1/passwords", null, setPassword(invitation, "another horse battery")).status())
			.isEqualTo(400);
		String stored = this.jdbc.sql("select password_hash from tenant_user where id = ?")
			.param(userId)
			.query(String.class)
			.single();
		assertThat(stored).startsWith("{bcrypt}").doesNotContain("correct horse battery");

		assertThat(signIn(tenant.slug() + "/ada@example.com", "wrong horse battery").code()).isNull();
		BrowserSignIn.SignIn signIn = signIn(tenant.slug() + "/ada@example.com", "correct horse battery");
		assertThat(signIn.code()).isNotNull();

		// The code is only good with the verifier of the challenge it was asked with.
		assertThat(exchange(signIn.code(), "not-the-verifier").statusCode()).isEqualTo(400);
		signIn = signIn(tenant.slug() + "/ada@example.com", "correct horse battery");
		HttpResponse<String> tokenResponse = exchange(signIn.code(), signIn.verifier());
		assertThat(tokenResponse.statusCode()).as(tokenResponse.body()).isEqualTo(200);
		JsonNode issued = JSON.readTree(tokenResponse.body());
		String access = issued.get("access_token").asString();
		String refresh = issued.get("refresh_token").asString();

		Jwt jwt = serviceDecoder().decode(access);
		assertThat(jwt.getSubject()).isEqualTo(userId.toString());
		assertThat(jwt.getClaimAsString("tenant_id")).isEqualTo(tenant.id().toString());
		assertThat(jwt.getClaimAsStringList("roles")).containsExactly("USER");
		assertThat(jwt.getClaimAsString("tier")).isEqualTo("SHARED");
		assertThat(jwt.getAudience()).containsExactly(this.tokens.audience());
		assertThat(jwt.hasClaim("email")).isFalse();
		// The ID token names the user for the console, by the standard claims.
		Jwt id = NimbusJwtDecoder.withJwkSetUri(url("/.well-known/jwks.json"))
			.build()
			.decode(issued.get("id_token").asString());
		assertThat(id.getSubject()).isEqualTo(userId.toString());
		assertThat(id.getClaimAsString("email")).isEqualTo("ada@example.com");
		assertThat(id.getClaimAsString("preferred_username")).isEqualTo(tenant.slug() + "/ada@example.com");
		assertThat(this.api.get("/api/v1/tenants/" + tenant.id() + "/users", access).status()).isEqualTo(200);

		// Refresh tokens rotate: the new one works, the used one is gone. Claims are read
		// again: a rate limit set meanwhile is in the new token.
		String operator = this.tokens.issue("operator", null, List.of("SYSTEM_ADMIN"), Duration.ofMinutes(5));
		assertThat(this.api
			.put("/api/v1/tenants/" + tenant.id() + "/rate-limit", operator, "{\"requestsPerSecond\":3,\"burst\":4}")
			.status()).isEqualTo(200);
		HttpResponse<String> refreshed = refresh(refresh);
		assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
		assertThat(claimsOf(refreshed).getClaimAsMap("rate_limit")).containsEntry("burst", 4L);
		// The authorization, stored with those claims, reads back for the next refresh.
		HttpResponse<String> again = refresh(JSON.readTree(refreshed.body()).get("refresh_token").asString());
		assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
		String nextRefresh = JSON.readTree(again.body()).get("refresh_token").asString();
		assertThat(refresh(refresh).statusCode()).isEqualTo(400);

		String admin = this.tokens.issue("admin", tenant.id(), List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		assertThat(this.api.delete("/api/v1/tenants/" + tenant.id() + "/users/" + userId, admin).status())
			.isEqualTo(204);
		HttpResponse<String> afterDelete = refresh(nextRefresh);
		assertThat(afterDelete.statusCode()).isEqualTo(400);
		assertThat(afterDelete.body()).contains("invalid_grant");
	}

	@Test
	void aResetTokenReplacesThePasswordAndTheAnswerSaysNothingAboutWhoExists() throws Exception {
		Tenant tenant = activeTenant();
		UUID userId = createUser(tenant, "grace@example.com", "TENANT_ADMIN");
		String invitation = tokenFrom(tenant.id(), userId, "PASSWORD_INVITATION");
		assertThat(this.api.post("/api/v1/passwords", null, setPassword(invitation, "first password here")).status())
			.isEqualTo(204);

		String reset = "{\"tenant\":\"" + tenant.slug() + "\",\"email\":\"grace@example.com\"}";
		String nobody = "{\"tenant\":\"" + tenant.slug() + "\",\"email\":\"nobody@example.com\"}";
		assertThat(this.api.post("/api/v1/password-resets", null, reset).status()).isEqualTo(202);
		assertThat(this.api.post("/api/v1/password-resets", null, nobody).status()).isEqualTo(202);
		String token = tokenFrom(tenant.id(), userId, "PASSWORD_RESET");
		assertThat(this.api.post("/api/v1/passwords", null, setPassword(token, "second password here")).status())
			.isEqualTo(204);
		assertThat(signIn(tenant.slug() + "/grace@example.com", "first password here").code()).isNull();
		assertThat(signIn(tenant.slug() + "/grace@example.com", "second password here").code()).isNotNull();
		assertThat(this.jdbc.sql("select count(*) from audit_record where action in (?, ?) and tenant_id = ?")
			.params("user.set_password", "user.request_password_reset", tenant.id())
			.query(Long.class)
			.single()).isEqualTo(3);
	}

	@Test
	void aTenantAdminsMachineClientGetsTokensForItsTenantAndRolesUntilDeleted() throws Exception {
		Tenant tenant = activeTenant();
		Tenant other = activeTenant();
		String admin = this.tokens.issue("admin", tenant.id(), List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		String user = this.tokens.issue("user", tenant.id(), List.of("USER"), Duration.ofMinutes(5));
		String otherAdmin = this.tokens.issue("admin2", other.id(), List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		String clients = "/api/v1/tenants/" + tenant.id() + "/clients";
		String body = "{\"name\":\"nightly import\",\"roles\":[\"USER\"]}";

		assertThat(this.api.post(clients, user, body).status()).isEqualTo(403);
		assertThat(this.api.post(clients, otherAdmin, body).status()).isEqualTo(404);
		assertThat(this.api.post(clients, admin, "{\"name\":\"root\",\"roles\":[\"SYSTEM_ADMIN\"]}").status())
			.isEqualTo(400);
		ApiClient.Response created = this.api.post(clients, admin, body);
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		JsonNode client = JSON.readTree(created.body());
		String clientId = client.get("client").get("clientId").asString();
		String secret = client.get("clientSecret").asString();
		// The secret is shown once: never in a list, never stored as it is.
		ApiClient.Response listed = this.api.get(clients, admin);
		assertThat(listed.body()).contains(clientId).doesNotContain(secret);
		assertThat(this.api.get("/api/v1/tenants/" + other.id() + "/clients", otherAdmin).body())
			.doesNotContain(clientId);
		assertThat(this.jdbc.sql("select client_secret from oauth2_registered_client where client_id = ?")
			.param(clientId)
			.query(String.class)
			.single()).startsWith("{bcrypt}").doesNotContain(secret);

		HttpResponse<String> response = clientCredentials(clientId, secret);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		String access = JSON.readTree(response.body()).get("access_token").asString();
		Jwt jwt = serviceDecoder().decode(access);
		assertThat(jwt.getSubject()).isEqualTo(clientId);
		assertThat(jwt.getClaimAsString("client_id")).isEqualTo(clientId);
		assertThat(jwt.getClaimAsString("tenant_id")).isEqualTo(tenant.id().toString());
		assertThat(jwt.getClaimAsStringList("roles")).containsExactly("USER");
		assertThat(this.api.get("/api/v1/tenants/" + tenant.id() + "/users", access).status()).isEqualTo(200);
		assertThat(this.api.get("/api/v1/tenants/" + other.id() + "/users", access).status()).isEqualTo(404);
		assertThat(clientCredentials(clientId, "wrong-secret").statusCode()).isEqualTo(401);

		assertThat(this.api.delete(clients + "/" + clientId, otherAdmin).status()).isEqualTo(404);
		assertThat(this.api.delete(clients + "/" + clientId, admin).status()).isEqualTo(204);
		assertThat(clientCredentials(clientId, secret).statusCode()).isEqualTo(401);
		assertThat(this.jdbc
			.sql("select action from audit_record where tenant_id = ? and action like 'client.%'"
					+ " and outcome = 'SUCCEEDED' order by seq")
			.param(tenant.id())
			.query(String.class)
			.list()).containsExactly("client.create", "client.delete");
	}

	@Test
	void aSystemAdminSetsATenantsOwnRateLimitWhichItsNextTokensCarry() throws Exception {
		Tenant tenant = activeTenant();
		String operator = this.tokens.issue("operator", null, List.of("SYSTEM_ADMIN"), Duration.ofMinutes(5));
		String admin = this.tokens.issue("admin", tenant.id(), List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		String path = "/api/v1/tenants/" + tenant.id() + "/rate-limit";
		JsonNode client = JSON.readTree(this.api
			.post("/api/v1/tenants/" + tenant.id() + "/clients", admin, "{\"name\":\"etl\",\"roles\":[\"USER\"]}")
			.body());
		String clientId = client.get("client").get("clientId").asString();
		String secret = client.get("clientSecret").asString();
		assertThat(this.api.get(path, admin).status()).isEqualTo(404);
		assertThat(claimsOf(clientCredentials(clientId, secret)).hasClaim("rate_limit")).isFalse();

		String limit = "{\"requestsPerSecond\":5,\"burst\":10}";
		assertThat(this.api.put(path, admin, limit).status()).isEqualTo(403);
		assertThat(this.api.put(path, operator, "{\"requestsPerSecond\":0,\"burst\":10}").status()).isEqualTo(400);
		assertThat(this.api.put(path, operator, limit).status()).isEqualTo(200);
		assertThat(JSON.readTree(this.api.get(path, admin).body()).get("burst").asLong()).isEqualTo(10);
		Jwt limited = claimsOf(clientCredentials(clientId, secret));
		assertThat(limited.getClaimAsMap("rate_limit")).containsEntry("requests_per_second", 5L)
			.containsEntry("burst", 10L);

		assertThat(this.api.delete(path, operator).status()).isEqualTo(204);
		assertThat(claimsOf(clientCredentials(clientId, secret)).hasClaim("rate_limit")).isFalse();
		assertThat(this.jdbc
			.sql("select count(*) from audit_record where tenant_id = ? and action = 'tenant.change_rate_limit'"
					+ " and outcome = 'SUCCEEDED'")
			.param(tenant.id())
			.query(Long.class)
			.single()).isEqualTo(2);
	}

	@Test
	void aSuspendedTenantsClientsGetNoTokens() throws Exception {
		Tenant tenant = activeTenant();
		String admin = this.tokens.issue("admin", tenant.id(), List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		JsonNode client = JSON.readTree(this.api
			.post("/api/v1/tenants/" + tenant.id() + "/clients", admin, "{\"name\":\"etl\",\"roles\":[\"READ_ONLY\"]}")
			.body());
		String clientId = client.get("client").get("clientId").asString();
		String secret = client.get("clientSecret").asString();
		assertThat(clientCredentials(clientId, secret).statusCode()).isEqualTo(200);
		this.jdbc.sql("update tenant set status = 'SUSPENDED' where id = ?").param(tenant.id()).update();
		HttpResponse<String> refused = clientCredentials(clientId, secret);
		assertThat(refused.statusCode()).isEqualTo(400);
		assertThat(refused.body()).contains("unauthorized_client");
	}

	// --- the flows, as a client speaks them ---

	/**
	 * A configured operator client (Prometheus scraping the actuators) gets
	 * client-credentials tokens with its roles and no tenant; a wrong secret gets none.
	 */
	@Test
	void anOperatorClientGetsSystemAdminTokensWithoutATenant() throws Exception {
		HttpResponse<String> issued = clientCredentials("ops-scraper", OPERATOR_SECRET);
		Jwt jwt = claimsOf(issued);
		assertThat(jwt.getSubject()).isEqualTo("ops-scraper");
		assertThat(jwt.getClaimAsStringList("roles")).containsExactly("SYSTEM_ADMIN");
		assertThat(jwt.hasClaim("tenant_id")).isFalse();
		assertThat(jwt.hasClaim("tier")).isFalse();
		String token = JSON.readTree(issued.body()).get("access_token").asString();
		assertThat(this.api.get("/api/v1/tenants", token).status()).isEqualTo(200);
		assertThat(clientCredentials("ops-scraper", OPERATOR_SECRET + "x").statusCode()).isEqualTo(401);
		// A tenant's client may not take an operator's name, nor an operator a tenant's.
		assertThatThrownBy(() -> new IdentityProperties.OperatorClient("tf-ops", OPERATOR_SECRET, List.of("X")))
			.hasMessageContaining("not with tf-");
		assertThatThrownBy(() -> new IdentityProperties.OperatorClient("ops", "short", List.of("SYSTEM_ADMIN")))
			.hasMessageContaining("24 characters");
	}

	/**
	 * Behind the gateway, each request of a sign-in may reach another instance: the
	 * session (the saved authorization request, then the signed-in user) is in
	 * PostgreSQL, so an instance finishes a sign-in another one started.
	 */
	@Test
	void aSignInStartedOnOneInstanceFinishesOnAnother() throws Exception {
		Tenant tenant = activeTenant();
		UUID userId = createUser(tenant, "grace@example.com", "USER");
		assertThat(this.api
			.post("/api/v1/passwords", null,
					setPassword(tokenFrom(tenant.id(), userId, "PASSWORD_INVITATION"), "correct horse battery"))
			.status()).isEqualTo(204);
		Map<String, Object> properties = new LinkedHashMap<>();
		PostgresServer pg = TestPostgres.get();
		properties.put("spring.datasource.url", pg.jdbcUrl("tenantidentity"));
		properties.put("spring.datasource.username", pg.adminUser());
		properties.put("spring.datasource.password", pg.adminPassword());
		ServiceTestInfrastructure.kafka((name, value) -> properties.put(name, value.get()));
		properties.put("tierflow.tenants.archives", Files.createTempDirectory("tierflow-archives-identity-2"));
		properties.put("tierflow.identity.console.client-secret", CONSOLE_SECRET);
		properties.put("tierflow.identity.console.redirect-uris", REDIRECT);
		properties.put("server.port", 0);
		properties.put("management.server.port", 0);
		try (ConfigurableApplicationContext other = new SpringApplicationBuilder(
				io.tierflow.tenant.TenantServiceApplication.class)
			.run(properties.entrySet()
				.stream()
				.map((e) -> "--" + e.getKey() + "=" + e.getValue())
				.toArray(String[]::new))) {
			String otherInstance = "http://127.0.0.1:" + ((WebServerApplicationContext) other).getWebServer().getPort();
			BrowserSignIn.SignIn signIn = signIn(tenant.slug() + "/grace@example.com", "correct horse battery",
					otherInstance);
			assertThat(signIn.code()).isNotNull();
			HttpResponse<String> tokens = exchange(signIn.code(), signIn.verifier());
			assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
			assertThat(claimsOf(tokens).getSubject()).isEqualTo(userId.toString());
		}
	}

	private BrowserSignIn.SignIn signIn(String username, String password) throws Exception {
		return signIn(username, password, url(""));
	}

	/**
	 * The authorization code flow of a browser: authorization requests go to this
	 * instance, the sign-in form to {@code loginInstance}.
	 */
	private BrowserSignIn.SignIn signIn(String username, String password, String loginInstance) throws Exception {
		return BrowserSignIn.signIn(url(""), loginInstance, "tierflow-console", REDIRECT, username, password);
	}

	private HttpResponse<String> exchange(String code, String verifier) throws Exception {
		return token(Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", REDIRECT, "code_verifier",
				verifier), "tierflow-console", CONSOLE_SECRET);
	}

	private HttpResponse<String> refresh(String refreshToken) throws Exception {
		return token(Map.of("grant_type", "refresh_token", "refresh_token", refreshToken), "tierflow-console",
				CONSOLE_SECRET);
	}

	private HttpResponse<String> clientCredentials(String clientId, String secret) throws Exception {
		return token(Map.of("grant_type", "client_credentials"), clientId, secret);
	}

	private HttpResponse<String> token(Map<String, String> parameters, String clientId, String secret)
			throws Exception {
		String basic = Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(url("/oauth2/token")))
				.header("Authorization", "Basic " + basic)
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString(form(parameters)))
				.build(), HttpResponse.BodyHandlers.ofString());
	}

	private Tenant activeTenant() throws Exception {
		String operator = this.tokens.issue("operator", null, List.of("SYSTEM_ADMIN"), Duration.ofMinutes(5));
		String slug = "id-" + UUID.randomUUID().toString().substring(0, 8);
		ApiClient.Response created = this.api.post("/api/v1/tenants", operator,
				"{\"name\":\"" + slug + "\",\"slug\":\"" + slug + "\",\"plan\":\"STANDARD\",\"region\":\"eu\"}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		UUID id = UUID.fromString(JSON.readTree(created.body()).get("id").asString());
		// No tenant-data service answers here: provisioning is done as their replies
		// would.
		this.jdbc.sql("update tenant set status = 'ACTIVE' where id = ?").param(id).update();
		return new Tenant(id, slug);
	}

	private UUID createUser(Tenant tenant, String email, String role) throws Exception {
		String admin = this.tokens.issue("admin", tenant.id(), List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		ApiClient.Response created = this.api.post("/api/v1/tenants/" + tenant.id() + "/users", admin,
				"{\"email\":\"" + email + "\",\"name\":\"Someone\",\"role\":\"" + role + "\"}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return UUID.fromString(JSON.readTree(created.body()).get("id").asString());
	}

	/** The token in the user's newest notification of this kind, read as the user. */
	private String tokenFrom(UUID tenantId, UUID userId, String kind) throws Exception {
		String self = this.tokens.issue(userId.toString(), tenantId, List.of("USER"), Duration.ofMinutes(5));
		JsonNode inbox = JSON.readTree(this.api.get("/api/v1/notifications", self).body());
		for (JsonNode notification : inbox.get("items")) {
			if (kind.equals(notification.get("kind").asString())) {
				String body = notification.get("body").asString();
				return body.substring(body.lastIndexOf(' ') + 1);
			}
		}
		throw new AssertionError("No " + kind + " notification in " + inbox);
	}

	private static String setPassword(String token, String password) {
		return "{\"token\":\"" + token + "\",\"password\":\"" + password + "\"}";
	}

	private Jwt claimsOf(HttpResponse<String> tokenResponse) throws Exception {
		assertThat(tokenResponse.statusCode()).as(tokenResponse.body()).isEqualTo(200);
		return serviceDecoder().decode(JSON.readTree(tokenResponse.body()).get("access_token").asString());
	}

	/** How another service verifies tenant-service's tokens: through its JWKS. */
	private JwtDecoder serviceDecoder() {
		return TokenValidation.decoder(new TierflowSecurityProperties(this.tokens.issuer(),
				List.of(this.tokens.audience()), "http://127.0.0.1:" + this.port + "/.well-known/jwks.json",
				List.of("RS256"), Duration.ofSeconds(30), "tenant_id", "roles", "X-Tenant-Id", List.of()), null);
	}

	private String url(String path) {
		return "http://127.0.0.1:" + this.port + path;
	}

	private static String form(Map<String, String> parameters) {
		return BrowserSignIn.form(parameters);
	}

	record Tenant(UUID id, String slug) {
	}

}
