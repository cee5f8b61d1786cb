package io.tierflow.tenant;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.tenant.TenantProvisioned;
import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.ApiClient.Response;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.TestEvents;
import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.security.TokenIssuer;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "tierflow.tokens.dev-issuer=true")
class TenantServiceIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final List<String> SERVICES = List.of("simulation", "file", "billing", "analytics");

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		PostgresServer pg = TestPostgres.get();
		pg.dropDatabase("tenantit");
		pg.createDatabase("tenantit");
		registry.add("spring.datasource.url", () -> pg.jdbcUrl("tenantit"));
		registry.add("spring.datasource.username", pg::adminUser);
		registry.add("spring.datasource.password", pg::adminPassword);
		ServiceTestInfrastructure.kafka(registry);
	}

	@LocalServerPort
	int port;

	@Autowired
	TokenIssuer tokens;

	ApiClient api;

	String admin;

	@BeforeEach
	void client() {
		this.api = new ApiClient(this.port);
		this.admin = this.tokens.issue("operator", null, List.of("SYSTEM_ADMIN"), Duration.ofMinutes(10));
	}

	@Test
	void createdTenantIsAnnouncedAndBecomesActiveWhenEveryServiceReplies() {
		try (TestEvents.Reader tenantEvents = TestEvents.read(Topics.TENANT)) {
			JsonNode tenant = create("acme", "PROFESSIONAL");
			UUID id = UUID.fromString(tenant.get("id").asString());
			assertThat(tenant.get("status").asString()).isEqualTo("PROVISIONING");
			assertThat(tenant.get("tier").asString()).isEqualTo("DEDICATED");
			assertThat(tenant.get("placements")).hasSize(4);

			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(tenantEvents.data(EventTypes.TENANT_CREATED, id)).hasSize(1));
			assertThat(tenantEvents.data(EventTypes.TENANT_CREATED, id).get(0).get("slug").asString())
				.isEqualTo("acme");

			for (String service : SERVICES) {
				reply(id, service, TenantProvisioned.READY, null);
			}
			reply(id, "billing", TenantProvisioned.READY, null); // a redelivered reply
																	// changes nothing
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(status(id)).isEqualTo("ACTIVE"));
			JsonNode active = JSON.readTree(this.api.get("/api/v1/tenants/" + id, this.admin).body());
			for (JsonNode placement : active.get("placements")) {
				assertThat(placement.get("state").asString()).isEqualTo("READY");
				assertThat(placement.get("isolation").asString()).isEqualTo("SCHEMA");
			}
		}
	}

	@Test
	void aFailedPlacementFailsTheTenantWithItsReason() {
		UUID id = UUID.fromString(create("doomed", "STANDARD").get("id").asString());
		reply(id, "simulation", TenantProvisioned.READY, null);
		reply(id, "file", TenantProvisioned.FAILED, "No SHARED cluster in region 'eu'");
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(status(id)).isEqualTo("FAILED"));
		JsonNode tenant = JSON.readTree(this.api.get("/api/v1/tenants/" + id, this.admin).body());
		assertThat(tenant.get("statusReason").asString()).contains("file").contains("region 'eu'");
	}

	@Test
	void suspendReactivateAndTierChangeFollowTheLifecycle() {
		UUID id = activeTenant("lifecycle");
		assertThat(this.api.post("/api/v1/tenants/" + id + "/reactivate", this.admin, "").status()).isEqualTo(409);
		Response suspended = this.api.post("/api/v1/tenants/" + id + "/suspend", this.admin, "{\"reason\":\"unpaid\"}");
		assertThat(suspended.status()).isEqualTo(200);
		assertThat(suspended.body()).contains("SUSPENDED");
		assertThat(this.api.post("/api/v1/tenants/" + id + "/tier-change", this.admin, "{\"plan\":\"ENTERPRISE\"}")
			.status()).isEqualTo(409);
		assertThat(this.api.post("/api/v1/tenants/" + id + "/reactivate", this.admin, "").status()).isEqualTo(200);

		Response change = this.api.post("/api/v1/tenants/" + id + "/tier-change", this.admin,
				"{\"plan\":\"ENTERPRISE\"}");
		assertThat(change.status()).isEqualTo(202);
		JsonNode pending = JSON.readTree(change.body()).get("pendingTierChange");
		assertThat(pending.get("toTier").asString()).isEqualTo("ENTERPRISE");
		assertThat(
				this.api.post("/api/v1/tenants/" + id + "/tier-change", this.admin, "{\"plan\":\"STANDARD\"}").status())
			.isEqualTo(409);
		assertThat(this.api.delete("/api/v1/tenants/" + id, this.admin).status()).isEqualTo(202);
		assertThat(status(id)).isEqualTo("DELETION_REQUESTED");
	}

	@Test
	void usersAreCreatedByAdminsAndAnnounced() {
		UUID id = activeTenant("people");
		UUID other = activeTenant("strangers");
		String tenantAdmin = this.tokens.issue("alice", id, List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		String user = this.tokens.issue("bob", id, List.of("USER"), Duration.ofMinutes(5));
		String otherAdmin = this.tokens.issue("mallory", other, List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		String body = "{\"email\":\"Carol@Example.com\",\"name\":\"Carol\",\"role\":\"USER\"}";
		try (TestEvents.Reader userEvents = TestEvents.read(Topics.USER)) {
			assertThat(this.api.post("/api/v1/tenants/" + id + "/users", tenantAdmin, body).status()).isEqualTo(201);
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(userEvents.data(EventTypes.USER_CREATED, id)).hasSize(1));
			assertThat(userEvents.data(EventTypes.USER_CREATED, id).get(0).get("email").asString())
				.isEqualTo("carol@example.com");
		}
		assertProblem(this.api.post("/api/v1/tenants/" + id + "/users", tenantAdmin, body), 409);
		assertProblem(this.api.post("/api/v1/tenants/" + id + "/users", user, body), 403);
		assertProblem(this.api.post("/api/v1/tenants/" + id + "/users", otherAdmin, body), 404);
		assertProblem(this.api.get("/api/v1/tenants/" + id + "/users", otherAdmin), 404);
		assertThat(this.api.get("/api/v1/tenants/" + id + "/users", user).body()).contains("carol@example.com");
		assertProblem(this.api.get("/api/v1/tenants/" + id + "/users", otherAdmin, "X-Tenant-Id", id.toString()), 403);
	}

	@Test
	void onlySystemAdminsGovernTenantsAndTenantsSeeOnlyThemselves() {
		UUID id = activeTenant("private");
		UUID other = activeTenant("nosy");
		String nosy = this.tokens.issue("eve", other, List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		assertProblem(this.api.post("/api/v1/tenants", nosy, newTenant("x-" + UUID.randomUUID(), "TRIAL")), 403);
		assertProblem(this.api.get("/api/v1/tenants", nosy), 403);
		assertProblem(this.api.get("/api/v1/tenants/" + id, nosy), 404);
		assertProblem(this.api.post("/api/v1/tenants/" + id + "/suspend", nosy, "{}"), 403);
		assertThat(this.api.get("/api/v1/tenants/" + other, nosy).status()).isEqualTo(200);
	}

	@Test
	void malformedInputIsAProblemNeverAServerError() {
		assertProblem(this.api.post("/api/v1/tenants", this.admin, "{oops"), 400);
		assertProblem(this.api.post("/api/v1/tenants", this.admin, "{}"), 400);
		assertProblem(this.api.post("/api/v1/tenants", this.admin, newTenant("Bad Slug!", "TRIAL")), 400);
		assertProblem(this.api.post("/api/v1/tenants", this.admin, newTenant("fine-slug", "PLATINUM")), 400);
		assertProblem(this.api.post("/api/v1/tenants", this.admin,
				"{\"name\":\"n\",\"slug\":\"ok-slug\",\"plan\":\"TRIAL\",\"region\":\"EU-1\"}"), 400);
		String slug = "dup-" + UUID.randomUUID().toString().substring(0, 8);
		assertThat(this.api.post("/api/v1/tenants", this.admin, newTenant(slug, "TRIAL")).status()).isEqualTo(201);
		assertProblem(this.api.post("/api/v1/tenants", this.admin, newTenant(slug, "TRIAL")), 409);
		assertProblem(this.api.get("/api/v1/tenants/nope", this.admin), 400);
		assertProblem(this.api.get("/api/v1/tenants/" + UUID.randomUUID(), this.admin), 404);
		assertProblem(this.api.get("/api/v1/tenants?size=0", this.admin), 400);
		assertThat(this.api.get("/api/v1/tenants?page=2147483647&size=200", this.admin).status()).isEqualTo(200);
		assertProblem(this.api.post("/api/v1/tenants/" + UUID.randomUUID() + "/suspend", this.admin, "{}"), 404);
		assertProblem(
				this.api.post("/api/v1/tenants/" + UUID.randomUUID() + "/tier-change", this.admin, "{\"plan\":null}"),
				400);
		assertProblem(this.api.post("/api/v1/tenants/" + UUID.randomUUID() + "/users", this.admin,
				"{\"email\":\"not-an-email\",\"name\":\"x\",\"role\":\"USER\"}"), 400);
		assertProblem(this.api.post("/api/v1/tenants/" + UUID.randomUUID() + "/users", this.admin,
				"{\"email\":\"a@b.io\",\"name\":\"x\",\"role\":\"USER\"}"), 404);
		assertProblem(this.api.post("/api/v1/dev/tokens", null, "{\"subject\":\"s\",\"roles\":[\"ROOT\"]}"), 400);
		assertProblem(this.api.get("/api/v1/tenants", null), 401);
	}

	@Test
	void publishesKeysAndIssuesDevelopmentTokensThatItAccepts() {
		assertThat(this.api.get("/.well-known/jwks.json", null).body()).contains("\"kty\":\"RSA\"");
		Response issued = this.api.post("/api/v1/dev/tokens", null,
				"{\"subject\":\"ops\",\"roles\":[\"SYSTEM_ADMIN\"]}");
		assertThat(issued.status()).isEqualTo(200);
		String token = JSON.readTree(issued.body()).get("token").asString();
		assertThat(this.api.get("/api/v1/tenants", token).status()).isEqualTo(200);
	}

	private UUID activeTenant(String slugPrefix) {
		UUID id = UUID
			.fromString(create(slugPrefix + "-" + UUID.randomUUID().toString().substring(0, 8), "STANDARD").get("id")
				.asString());
		for (String service : SERVICES) {
			reply(id, service, TenantProvisioned.READY, null);
		}
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(status(id)).isEqualTo("ACTIVE"));
		return id;
	}

	private JsonNode create(String slug, String plan) {
		Response r = this.api.post("/api/v1/tenants", this.admin, newTenant(slug, plan));
		assertThat(r.status()).as(r.body()).isEqualTo(201);
		return JSON.readTree(r.body());
	}

	private static String newTenant(String slug, String plan) {
		return "{\"name\":\"Tenant " + slug + "\",\"slug\":\"" + slug + "\",\"plan\":\"" + plan
				+ "\",\"region\":\"eu\"}";
	}

	private String status(UUID id) {
		return JSON.readTree(this.api.get("/api/v1/tenants/" + id, this.admin).body()).get("status").asString();
	}

	private static void reply(UUID tenant, String service, String status, String reason) {
		TestEvents.publish(Topics.TENANT_REPLIES, EventTypes.TENANT_PROVISIONED, tenant,
				service + "-" + tenant + "-" + status,
				new TenantProvisioned(tenant, service, status, Tier.DEDICATED,
						status.equals(TenantProvisioned.READY) ? IsolationMode.SCHEMA : null, "dedicated-eu", "db", "s",
						1, reason));
	}

	private static void assertProblem(Response response, int status) {
		assertThat(response.status()).as(response.body()).isEqualTo(status);
		assertThat(response.isProblem()).as(response.contentType()).isTrue();
	}

}
