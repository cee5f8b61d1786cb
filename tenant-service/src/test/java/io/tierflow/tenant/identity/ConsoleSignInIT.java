package io.tierflow.tenant.identity;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.tenancy.security.TokenIssuer;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The console as it runs in the browser: a public client (no secret) that signs in with
 * the authorization code flow and PKCE, keeps only an access token, and revokes it at
 * sign-out with its client id. An operator configured in tenant-service signs in through
 * the same form as tenants' users and gets a SYSTEM_ADMIN token without a tenant.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "tierflow.identity.console.redirect-uris=" + ConsoleSignInIT.REDIRECT,
				"tierflow.identity.operator-clients[0].client-id=ops-introspector",
				"tierflow.identity.operator-clients[0].client-secret=" + ConsoleSignInIT.OPERATOR_CLIENT_SECRET,
				"tierflow.identity.operator-clients[0].roles=SYSTEM_ADMIN" })
class ConsoleSignInIT {

	static final String REDIRECT = "http://127.0.0.1:9/";

	static final String OPERATOR_CLIENT_SECRET = "introspector-secret-of-24-chars";

	static final String OPERATOR_PASSWORD = "a long operator passphrase";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) throws Exception {
		PostgresServer pg = TestPostgres.get();
		pg.dropDatabase("tenantconsole");
		pg.createDatabase("tenantconsole");
		registry.add("spring.datasource.url", () -> pg.jdbcUrl("tenantconsole"));
		registry.add("spring.datasource.username", pg::adminUser);
		registry.add("spring.datasource.password", pg::adminPassword);
		ServiceTestInfrastructure.kafka(registry);
		String archives = Files.createTempDirectory("tierflow-archives-console").toString();
		registry.add("tierflow.tenants.archives", () -> archives);
		String hash = PasswordEncoderFactories.createDelegatingPasswordEncoder().encode(OPERATOR_PASSWORD);
		// A list binds from one property source: the operator's name and hash together.
		registry.add("tierflow.identity.operators[0].username", () -> "ops.alice");
		registry.add("tierflow.identity.operators[0].password-hash", () -> hash);
	}

	@LocalServerPort
	int port;

	@Autowired
	TokenIssuer tokens;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	JdbcOperations jdbcOperations;

	@Autowired
	RegisteredClientRepository clients;

	@Autowired
	PlatformTransactionManager transactions;

	@Test
	void anOperatorSignsInToThePublicConsoleAndGetsASystemAdminTokenWithoutATenant() throws Exception {
		assertThat(signIn("ops.alice", "not the passphrase").code()).isNull();
		BrowserSignIn.SignIn signIn = signIn("ops.alice", OPERATOR_PASSWORD);
		assertThat(signIn.code()).isNotNull();

		// A public client has no secret to show: the verifier is its proof.
		assertThat(exchange(signIn.code(), "not-the-verifier").statusCode()).isEqualTo(400);
		signIn = signIn("ops.alice", OPERATOR_PASSWORD);
		HttpResponse<String> issued = exchange(signIn.code(), signIn.verifier());
		assertThat(issued.statusCode()).as(issued.body()).isEqualTo(200);
		JsonNode body = JSON.readTree(issued.body());
		// Only what the page holds in memory: no refresh token for a public client.
		assertThat(body.has("refresh_token")).isFalse();
		String access = body.get("access_token").asString();
		Map<String, Object> claims = claims(access);
		assertThat(claims).containsEntry("sub", "operator:ops.alice")
			.containsEntry("roles", List.of("SYSTEM_ADMIN"))
			.doesNotContainKey("tenant_id");
		assertThat(claims(body.get("id_token").asString())).containsEntry("preferred_username", "ops.alice");

		ApiClient api = new ApiClient(this.port);
		assertThat(api.get("/api/v1/tenants?limit=1", access).status()).isEqualTo(200);
	}

	@Test
	void signOutRevokesTheConsolesTokenWithItsClientIdAndNobodyElsesToken() throws Exception {
		Tenant tenant = activeTenantWithUser("bob@example.com", "a password for bob");
		BrowserSignIn.SignIn signIn = signIn(tenant.slug() + "/bob@example.com", "a password for bob");
		String access = JSON.readTree(exchange(signIn.code(), signIn.verifier()).body()).get("access_token").asString();
		BrowserSignIn.SignIn operatorSignIn = signIn("ops.alice", OPERATOR_PASSWORD);
		String operatorAccess = JSON.readTree(exchange(operatorSignIn.code(), operatorSignIn.verifier()).body())
			.get("access_token")
			.asString();
		assertThat(active(access)).isTrue();

		// Another client's id revokes nothing of the console's: a confidential client
		// must prove itself, whatever the request says.
		assertThat(revoke(access, "ops-introspector").statusCode()).isEqualTo(401);
		assertThat(revoke(access, "no-such-client").statusCode()).isEqualTo(401);
		assertThat(active(access)).isTrue();

		HttpResponse<String> revoked = revoke(access, "tierflow-console");
		assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
		assertThat(active(access)).isFalse();
		// The operator's session of the same client is another authorization.
		assertThat(active(operatorAccess)).isTrue();
	}

	@Test
	void anOperatorIsConfiguredWithAHashNeverAPassword() {
		assertThatThrownBy(() -> new IdentityProperties.Operator("ops.bob", "plain password"))
			.hasMessageContaining("password hash");
		assertThatThrownBy(() -> new IdentityProperties.Operator("ops.bob", "{noop}plain password"))
			.hasMessageContaining("password hash");
		assertThatThrownBy(() -> new IdentityProperties.Operator("acme/bob@example.com", "{bcrypt}$2a$10$x"))
			.hasMessageContaining("username");
	}

	@Test
	void instancesStartingTogetherRegisterTheConfiguredClientsOnceWithoutFailing() throws Exception {
		// Every instance registers the configured clients as it starts; a rollout starts
		// several at once. Each registration reads, then inserts or updates: without a
		// lock two of them insert the same client id and one instance fails to start.
		for (int round = 0; round < 5; round++) {
			String console = "race-console-" + round;
			String operatorClient = "race-ops-" + round;
			IdentityProperties properties = new IdentityProperties(Duration.ofMinutes(15), Duration.ofHours(8),
					Duration.ofHours(72), Duration.ofHours(1), 50,
					new IdentityProperties.Console(console, null, List.of(REDIRECT)),
					List.of(new IdentityProperties.OperatorClient(operatorClient, OPERATOR_CLIENT_SECRET,
							List.of("SYSTEM_ADMIN"))),
					List.of());
			int instances = 6;
			CyclicBarrier together = new CyclicBarrier(instances);
			ExecutorService starts = Executors.newFixedThreadPool(instances);
			try {
				List<Future<?>> started = new ArrayList<>();
				for (int i = 0; i < instances; i++) {
					ConsoleClient registration = new ConsoleClient(properties, this.clients, this.jdbcOperations,
							this.transactions);
					started.add(starts.submit(() -> {
						together.await();
						registration.afterSingletonsInstantiated();
						return null;
					}));
				}
				for (Future<?> start : started) {
					start.get(30, TimeUnit.SECONDS);
				}
			}
			finally {
				starts.shutdownNow();
			}
			assertThat(this.jdbc.sql("select count(*) from oauth2_registered_client where client_id in (?, ?)")
				.params(console, operatorClient)
				.query(Long.class)
				.single()).isEqualTo(2);
			assertThat(this.clients.findByClientId(console).getRedirectUris()).containsExactly(REDIRECT);
		}
	}

	private BrowserSignIn.SignIn signIn(String username, String password) throws Exception {
		return BrowserSignIn.signIn(url(""), url(""), "tierflow-console", REDIRECT, username, password);
	}

	/** The public client's exchange: its client id in the form, no Authorization. */
	private HttpResponse<String> exchange(String code, String verifier) throws Exception {
		return post("/oauth2/token", Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", REDIRECT,
				"code_verifier", verifier, "client_id", "tierflow-console"), null);
	}

	private HttpResponse<String> revoke(String token, String clientId) throws Exception {
		return post("/oauth2/revoke", Map.of("token", token, "token_type_hint", "access_token", "client_id", clientId),
				null);
	}

	/** Introspection by the operator client, a confidential one. */
	private boolean active(String token) throws Exception {
		String basic = Base64.getEncoder()
			.encodeToString(("ops-introspector:" + OPERATOR_CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
		HttpResponse<String> response = post("/oauth2/introspect", Map.of("token", token), "Basic " + basic);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return JSON.readTree(response.body()).get("active").asBoolean();
	}

	private HttpResponse<String> post(String path, Map<String, String> form, String authorization) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(BrowserSignIn.form(form)));
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private String url(String path) {
		return "http://127.0.0.1:" + this.port + path;
	}

	private Map<String, Object> claims(String jwt) {
		String payload = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
		@SuppressWarnings("unchecked")
		Map<String, Object> claims = JSON.readValue(payload, Map.class);
		return claims;
	}

	private Tenant activeTenantWithUser(String email, String password) throws Exception {
		ApiClient api = new ApiClient(this.port);
		String operator = this.tokens.issue("operator", null, List.of("SYSTEM_ADMIN"), Duration.ofMinutes(5));
		String slug = "con-" + UUID.randomUUID().toString().substring(0, 8);
		ApiClient.Response created = api.post("/api/v1/tenants", operator,
				"{\"name\":\"" + slug + "\",\"slug\":\"" + slug + "\",\"plan\":\"STANDARD\",\"region\":\"eu\"}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		UUID id = UUID.fromString(JSON.readTree(created.body()).get("id").asString());
		// No tenant-data service answers here: provisioning is done as their replies
		// would.
		this.jdbc.sql("update tenant set status = 'ACTIVE' where id = ?").param(id).update();
		this.jdbc
			.sql("insert into tenant_user (id, tenant_id, email, name, role, password_hash) values (?, ?, ?, ?, ?, ?)")
			.params(UUID.randomUUID(), id, email, "Bob", "USER",
					PasswordEncoderFactories.createDelegatingPasswordEncoder().encode(password))
			.update();
		return new Tenant(id, slug);
	}

	record Tenant(UUID id, String slug) {
	}

}
