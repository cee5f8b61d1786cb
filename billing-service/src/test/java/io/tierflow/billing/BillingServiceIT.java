package io.tierflow.billing;

import java.time.Duration;
import java.util.List;
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
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.tierflow.servicetest.ServiceTestInfrastructure.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestTokenDecoderConfiguration.class)
@DirtiesContext // its Kafka consumers must not outlive the class and take other classes'
				// partitions
class BillingServiceIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String METERS = "/api/v1/meters";

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		ServiceTestInfrastructure.tenantDataService(registry, "billing", "billit");
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
	void provisionsOnTenantCreatedAndRepliesOnceDespiteRedelivery(Tier tier) {
		UUID tenant = UUID.randomUUID();
		try (TestEvents.Reader replies = TestEvents.read(Topics.TENANT_REPLIES)) {
			TenantCreated created = new TenantCreated(tenant, "Acme", "acme-" + tenant, "PLAN", tier, "eu");
			String eventId = UUID.randomUUID().toString();
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_CREATED, tenant, eventId, created);
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_CREATED, tenant, eventId, created);

			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThat(replies.data(EventTypes.TENANT_PROVISIONED, tenant)).hasSize(1));
			JsonNode reply = replies.data(EventTypes.TENANT_PROVISIONED, tenant).get(0);
			assertThat(reply.get("service").asString()).isEqualTo("billing");
			assertThat(reply.get("status").asString()).isEqualTo("READY");
			assertThat(reply.get("tier").asString()).isEqualTo(tier.name());
			assertThat(this.provisioner.find(tenant).orElseThrow().state()).isEqualTo(PlacementState.READY);
			String t = token(tenant, "TENANT_ADMIN");
			assertThat(this.api.post(METERS, t, meter("cpu.seconds")).status()).isEqualTo(201);

			// Same key, same partition: once this later event is applied, both deliveries
			// of tenant.created have been handled, and their replies committed and
			// relayed.
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_SUSPENDED, tenant, UUID.randomUUID().toString(),
					new TenantStatusChanged(tenant, "SUSPENDED"));
			await().atMost(Duration.ofSeconds(30)).until(() -> this.provisioner.find(tenant).orElseThrow().suspended());
			await().during(Duration.ofMillis(500))
				.atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(replies.data(EventTypes.TENANT_PROVISIONED, tenant)).hasSize(1));
			assertProblem(this.api.get(METERS, t), 403);
		}
	}

	@ParameterizedTest
	@EnumSource(Tier.class)
	void tenantTokenNeverReachesAnotherTenantsMeters(Tier tier) {
		UUID a = provision(tier);
		UUID b = provision(tier);
		String tokenA = token(a, "TENANT_ADMIN");
		String tokenB = token(b, "TENANT_ADMIN");
		String idOfB = idOf(this.api.post(METERS, tokenB, meter("secret")));

		// Path id of another tenant's meter: not found, never served.
		assertProblem(this.api.get(METERS + "/" + idOfB, tokenA), 404);
		// Header naming another tenant: forbidden for a tenant user.
		assertProblem(this.api.get(METERS + "/" + idOfB, tokenA, "X-Tenant-Id", b.toString()), 403);
		assertProblem(this.api.get(METERS, tokenA, "X-Tenant-Id", b.toString()), 403);
		assertProblem(this.api.post(METERS, tokenA, meter("via-header"), "X-Tenant-Id", b.toString()), 403);
		// Query parameters and body fields naming another tenant are ignored.
		Response listed = this.api.get(METERS + "?tenantId=" + b + "&tenant_id=" + b, tokenA);
		assertThat(listed.status()).isEqualTo(200);
		assertThat(listed.body()).doesNotContain("secret");
		Response smuggled = this.api.post(METERS + "?tenantId=" + b, tokenA,
				"{\"key\":\"mine\",\"unit\":\"s\",\"tenantId\":\"" + b + "\",\"tenant_id\":\"" + b + "\"}");
		assertThat(smuggled.status()).isEqualTo(201);
		assertThat(this.api.get(METERS + "/" + idOf(smuggled), tokenA).status()).isEqualTo(200);
		assertThat(this.api.get(METERS + "/" + idOf(smuggled), tokenB).status()).isEqualTo(404);
		// Listings never show the other tenant's rows.
		assertThat(keys(this.api.get(METERS + "?size=200", tokenB))).containsExactly("secret");
		assertThat(keys(this.api.get(METERS + "?size=200", tokenA))).containsExactly("mine");
		// Keys are unique per tenant: B's key is free for A.
		assertThat(this.api.post(METERS, tokenA, meter("secret")).status()).isEqualTo(201);
	}

	@Test
	void createsReadsAndPagesMeters() {
		String t = token(provision(Tier.SHARED), "TENANT_ADMIN");
		Response created = this.api.post(METERS, t,
				"{\"key\":\"storage.gb-hours\",\"unit\":\"GB\u00b7h\",\"description\":\"Stored bytes over time\"}");
		assertThat(created.status()).isEqualTo(201);
		JsonNode meter = JSON.readTree(created.body());
		Response read = this.api.get(METERS + "/" + meter.get("id").asString(), t);
		assertThat(read.status()).isEqualTo(200);
		assertThat(JSON.readTree(read.body())).isEqualTo(meter);
		assertThat(meter.get("key").asString()).isEqualTo("storage.gb-hours");
		assertThat(meter.get("unit").asString()).isEqualTo("GB\u00b7h");
		assertThat(meter.get("description").asString()).isEqualTo("Stored bytes over time");
		assertThat(meter.get("createdAt").isNull()).isFalse();
		String longest = "a" + "z0_.-".repeat(12) + "abc";
		assertThat(longest).hasSize(64);
		this.api.post(METERS, t, meter("api_calls"));
		this.api.post(METERS, t, meter(longest));

		assertThat(keys(this.api.get(METERS + "?page=0&size=2", t))).containsExactly("storage.gb-hours", "api_calls");
		assertThat(keys(this.api.get(METERS + "?page=1&size=2", t))).containsExactly(longest);
		assertThat(keys(this.api.get(METERS + "?page=2&size=2", t))).isEmpty();
		assertThat(keys(this.api.get(METERS + "?page=2147483647&size=200", t))).isEmpty();
	}

	@Test
	void systemAdminMaySelectATenantByHeader() {
		UUID a = provision(Tier.SHARED);
		this.api.post(METERS, token(a, "TENANT_ADMIN"), meter("visible-to-ops"));
		Response r = this.api.get(METERS, ServiceTestInfrastructure.systemAdminToken(), "X-Tenant-Id", a.toString());
		assertThat(r.status()).isEqualTo(200);
		assertThat(keys(r)).containsExactly("visible-to-ops");
		// Without a header a system admin acts for no tenant.
		assertProblem(this.api.get(METERS, ServiceTestInfrastructure.systemAdminToken()), 403);
	}

	@Test
	void publishesItsOpenApiDescription() {
		Response docs = this.api.get("/v3/api-docs", null);
		assertThat(docs.status()).isEqualTo(200);
		assertThat(docs.body()).contains(METERS);
	}

	@Test
	void malformedInputIsAProblemNeverAServerError() {
		UUID a = provision(Tier.DEDICATED);
		String t = token(a, "TENANT_ADMIN");
		assertProblem(this.api.post(METERS, t, "{not json"), 400);
		assertProblem(this.api.post(METERS, t, ""), 400);
		assertProblem(this.api.post(METERS, t, "null"), 400);
		assertProblem(this.api.post(METERS, t, "[1,2]"), 400);
		assertProblem(this.api.post(METERS, t, "{}"), 400);
		assertProblem(this.api.post(METERS, t, "{\"unit\":\"s\"}"), 400);
		assertProblem(this.api.post(METERS, t, "{\"key\":\"cpu\"}"), 400);
		assertProblem(this.api.post(METERS, t, "{\"key\":\"cpu\",\"unit\":\"  \"}"), 400);
		assertProblem(this.api.post(METERS, t, "{\"key\":\"cpu\",\"unit\":\"" + "u".repeat(33) + "\"}"), 400);
		assertProblem(this.api.post(METERS, t, "{\"key\":\"cpu\",\"unit\":\"s\\u0000\"}"), 400);
		assertProblem(this.api.post(METERS, t,
				"{\"key\":\"cpu\",\"unit\":\"s\",\"description\":\"" + "x".repeat(1001) + "\"}"), 400);
		assertProblem(this.api.post(METERS, t, "{\"key\":\"cpu\",\"unit\":\"s\",\"description\":\"\\u0000\"}"), 400);
		for (String key : List.of("", "Cpu", "1cpu", "_cpu", "cpu seconds", "cpu/seconds", "cp\u00fc", "cpu\\n",
				"a".repeat(65))) {
			assertProblem(this.api.post(METERS, t, meter(key)), 400);
		}
		assertProblem(this.api.post(METERS, t, "{\"key\":{\"a\":1},\"unit\":\"s\"}"), 400);
		assertProblem(this.api.put(METERS, t, meter("cpu")), 405);
		assertProblem(this.api.get(METERS + "/not-a-uuid", t), 400);
		assertProblem(this.api.get(METERS + "/" + UUID.randomUUID(), t), 404);
		assertProblem(this.api.delete(METERS + "/" + UUID.randomUUID(), t), 405);
		assertProblem(this.api.get(METERS + "?page=-1", t), 400);
		assertProblem(this.api.get(METERS + "?page=99999999999", t), 400);
		assertProblem(this.api.get(METERS + "?size=0", t), 400);
		assertProblem(this.api.get(METERS + "?size=201", t), 400);
		assertProblem(this.api.get(METERS + "?size=abc", t), 400);
		assertProblem(this.api.get(METERS, null), 401);
		assertProblem(this.api.get(METERS, "garbage.token.value"), 401);
		assertProblem(this.api.get(METERS, t, "X-Tenant-Id", "not-a-uuid"), 400);
		assertProblem(this.api.get(METERS, token(UUID.randomUUID(), "USER")), 404);
		assertThat(this.api.post(METERS, t, meter("dup")).status()).isEqualTo(201);
		assertProblem(this.api.post(METERS, t, meter("dup")), 409);
		// The conflict rolled back cleanly: the tenant's next write goes through.
		assertThat(this.api.post(METERS, t, meter("after-dup")).status()).isEqualTo(201);
	}

	private static String meter(String key) {
		return "{\"key\":\"" + key + "\",\"unit\":\"count\"}";
	}

	private static void assertProblem(Response response, int status) {
		assertThat(response.status()).as(response.body()).isEqualTo(status);
		assertThat(response.isProblem()).as(response.contentType()).isTrue();
	}

	private static String idOf(Response created) {
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return JSON.readTree(created.body()).get("id").asString();
	}

	private static List<String> keys(Response page) {
		assertThat(page.status()).as(page.body()).isEqualTo(200);
		return JSON.readTree(page.body()).get("items").valueStream().map((m) -> m.get("key").asString()).toList();
	}

	private UUID provision(Tier tier) {
		UUID tenant = UUID.randomUUID();
		assertThat(this.provisioner.provision(tenant, tier, "eu").state()).isEqualTo(PlacementState.READY);
		return tenant;
	}

}
