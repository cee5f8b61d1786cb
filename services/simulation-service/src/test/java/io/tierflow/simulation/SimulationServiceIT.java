package io.tierflow.simulation;

import java.time.Duration;
import java.util.UUID;

import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.tenant.TenantCreated;
import io.tierflow.events.tenant.TenantStatusChanged;
import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.ApiClient.Response;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.TestEvents;
import io.tierflow.servicetest.TestTokenDecoderConfiguration;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.tierflow.servicetest.ServiceTestInfrastructure.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestTokenDecoderConfiguration.class)
class SimulationServiceIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		ServiceTestInfrastructure.tenantDataService(registry, "simulation", "simit");
	}

	@LocalServerPort
	int port;

	@Autowired
	TenantProvisioner provisioner;

	ApiClient api;

	@BeforeEach
	void client() {
		this.api = new ApiClient(this.port);
	}

	@ParameterizedTest
	@EnumSource(Tier.class)
	void provisionsOnTenantCreatedAndReplies(Tier tier) {
		UUID tenant = UUID.randomUUID();
		try (TestEvents.Reader replies = TestEvents.read(Topics.TENANT_REPLIES)) {
			TenantCreated created = new TenantCreated(tenant, "Acme", "acme-" + tenant, "PLAN", tier, "eu");
			String eventId = UUID.randomUUID().toString();
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_CREATED, tenant, eventId, created);
			// Delivered twice: still one placement and one reply.
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_CREATED, tenant, eventId, created);

			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThat(replies.data(EventTypes.TENANT_PROVISIONED, tenant)).hasSize(1));
			JsonNode reply = replies.data(EventTypes.TENANT_PROVISIONED, tenant).get(0);
			assertThat(reply.get("service").asString()).isEqualTo("simulation");
			assertThat(reply.get("status").asString()).isEqualTo("READY");
			assertThat(reply.get("tier").asString()).isEqualTo(tier.name());
		}
		assertThat(this.provisioner.find(tenant).orElseThrow().state()).isEqualTo(PlacementState.READY);
		Response created = this.api.post("/api/v1/models", token(tenant, "USER"), "{\"name\":\"first\"}");
		assertThat(created.status()).isEqualTo(201);
	}

	@ParameterizedTest
	@EnumSource(Tier.class)
	void tenantTokenNeverReachesAnotherTenantsModels(Tier tier) {
		UUID a = provision(tier);
		UUID b = provision(tier);
		String tokenA = token(a, "USER");
		String tokenB = token(b, "USER");
		String idOfB = JSON.readTree(this.api.post("/api/v1/models", tokenB, "{\"name\":\"secret\"}").body())
			.get("id")
			.asString();

		// Path id of another tenant's resource: not found, never served.
		assertThat(this.api.get("/api/v1/models/" + idOfB, tokenA).status()).isEqualTo(404);
		// Header naming another tenant: forbidden for a tenant user.
		Response viaHeader = this.api.get("/api/v1/models/" + idOfB, tokenA, "X-Tenant-Id", b.toString());
		assertThat(viaHeader.status()).isEqualTo(403);
		assertThat(viaHeader.isProblem()).isTrue();
		// Query parameters and body fields naming another tenant are ignored.
		assertThat(this.api.get("/api/v1/models?tenantId=" + b, tokenA).body()).doesNotContain("secret");
		Response smuggled = this.api.post("/api/v1/models", tokenA,
				"{\"name\":\"mine\",\"tenantId\":\"" + b + "\",\"tenant_id\":\"" + b + "\"}");
		assertThat(smuggled.status()).isEqualTo(201);
		assertThat(this.api.get("/api/v1/models", tokenB).body()).doesNotContain("mine");
		assertThat(this.api.get("/api/v1/models", tokenA).body()).contains("mine").doesNotContain("secret");
	}

	@Test
	void systemAdminMaySelectATenantByHeader() {
		UUID a = provision(Tier.SHARED);
		this.api.post("/api/v1/models", token(a, "USER"), "{\"name\":\"visible-to-ops\"}");
		Response r = this.api.get("/api/v1/models", ServiceTestInfrastructure.systemAdminToken(), "X-Tenant-Id",
				a.toString());
		assertThat(r.status()).isEqualTo(200);
		assertThat(r.body()).contains("visible-to-ops");
	}

	@Test
	void publishesItsOpenApiDescription() {
		Response docs = this.api.get("/v3/api-docs", null);
		assertThat(docs.status()).isEqualTo(200);
		assertThat(docs.body()).contains("/api/v1/models");
	}

	@Test
	void suspendedTenantIsRefusedUntilReactivated() {
		UUID a = provision(Tier.DEDICATED);
		String t = token(a, "USER");
		assertThat(this.api.get("/api/v1/models", t).status()).isEqualTo(200);
		TestEvents.publish(Topics.TENANT, EventTypes.TENANT_SUSPENDED, a, UUID.randomUUID().toString(),
				new TenantStatusChanged(a, "SUSPENDED"));
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			Response refused = this.api.get("/api/v1/models", t);
			assertThat(refused.status()).isEqualTo(403);
			assertThat(refused.isProblem()).isTrue();
		});
		TestEvents.publish(Topics.TENANT, EventTypes.TENANT_REACTIVATED, a, UUID.randomUUID().toString(),
				new TenantStatusChanged(a, "ACTIVE"));
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.api.get("/api/v1/models", t).status()).isEqualTo(200));
	}

	@Test
	void requestMetricsAreTaggedWithTheTenant() {
		UUID a = provision(Tier.SHARED);
		String t = token(a, "USER");
		assertThat(this.api.get("/api/v1/models", t).status()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(
					() -> assertThat(this.api.get("/actuator/metrics/http.server.requests?tag=tenant:" + a, t).status())
						.isEqualTo(200));
	}

	@Test
	void malformedInputIsAProblemNeverAServerError() {
		UUID a = provision(Tier.DEDICATED);
		String t = token(a, "USER");
		assertProblem(this.api.post("/api/v1/models", t, "{not json"), 400);
		assertProblem(this.api.post("/api/v1/models", t, "{}"), 400);
		assertProblem(this.api.post("/api/v1/models", t, "{\"name\":\"" + "x".repeat(101) + "\"}"), 400);
		assertProblem(this.api.post("/api/v1/models", t, "[1,2]"), 400);
		assertProblem(this.api.post("/api/v1/models", t, "{\"name\":\"nul\\u0000byte\"}"), 400);
		assertProblem(this.api.post("/api/v1/models", t, "{\"name\":\"n\",\"definition\":{\"k\":\"\\u0000\"}}"), 400);
		assertProblem(this.api.get("/api/v1/models/not-a-uuid", t), 400);
		assertProblem(this.api.get("/api/v1/models?page=-1", t), 400);
		assertProblem(this.api.get("/api/v1/models?size=abc", t), 400);
		assertThat(this.api.get("/api/v1/models?page=2147483647&size=200", t).status()).isEqualTo(200);
		assertProblem(this.api.get("/api/v1/models?page=2147483648", t), 400);
		assertProblem(this.api.get("/api/v1/models/" + UUID.randomUUID(), t), 404);
		assertProblem(this.api.get("/api/v1/models", null), 401);
		assertProblem(this.api.get("/api/v1/models", "garbage.token.value"), 401);
		assertProblem(this.api.get("/api/v1/models", t, "X-Tenant-Id", "not-a-uuid"), 400);
		assertProblem(this.api.get("/api/v1/models", token(UUID.randomUUID(), "USER")), 404);
		this.api.post("/api/v1/models", t, "{\"name\":\"dup\"}");
		assertProblem(this.api.post("/api/v1/models", t, "{\"name\":\"dup\"}"), 409);
	}

	private void assertProblem(Response response, int status) {
		assertThat(response.status()).as(response.body()).isEqualTo(status);
		assertThat(response.isProblem()).as(response.contentType()).isTrue();
	}

	private UUID provision(Tier tier) {
		UUID tenant = UUID.randomUUID();
		assertThat(this.provisioner.provision(tenant, tier, "eu").state()).isEqualTo(PlacementState.READY);
		return tenant;
	}

}
