package io.tierflow.billing;

import java.util.UUID;

import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.ApiClient.Response;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.TestTokenDecoderConfiguration;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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

/**
 * billing-service's part of the admin and database APIs, which tenant-service aggregates:
 * a tenant's rows, bytes and requests wherever it is placed, the clusters' health, a
 * tenant's placement, a user's rows and a migration pass.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestTokenDecoderConfiguration.class)
@DirtiesContext
class TenantAdminApiIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		ServiceTestInfrastructure.tenantDataService(registry, "billing", "billadmin");
	}

	@LocalServerPort
	int port;

	@Autowired
	TenantProvisioner provisioner;

	ApiClient api;

	String operator;

	@BeforeEach
	void clients() {
		this.api = new ApiClient(this.port);
		this.operator = ServiceTestInfrastructure.systemAdminToken();
	}

	@Test
	void usageCountsATenantsRowsBytesAndRequestsWhereverItIsPlaced() {
		for (Tier tier : Tier.values()) {
			UUID tenant = provision(tier);
			UUID other = provision(tier);
			String admin = token(tenant, "TENANT_ADMIN");
			for (String key : new String[] { "cpu", "gpu", "io" }) {
				assertThat(
						this.api.post("/api/v1/meters", admin, "{\"key\": \"" + key + "\", \"unit\": \"s\"}").status())
					.isEqualTo(201);
			}
			this.api.post("/api/v1/meters", token(other, "TENANT_ADMIN"), "{\"key\": \"cpu\", \"unit\": \"s\"}");
			this.api.get("/api/v1/meters", admin);

			Response response = this.api.get("/api/v1/admin/tenants/" + tenant + "/usage", this.operator);
			assertThat(response.status()).as(response.body()).isEqualTo(200);
			JsonNode usage = JSON.readTree(response.body());
			assertThat(usage.get("service").asString()).isEqualTo("billing");
			assertThat(usage.get("tenantId").asString()).isEqualTo(tenant.toString());
			assertThat(usage.path("placement").path("tier").asString()).as(tier.name()).isEqualTo(tier.name());
			// Its own rows only, on a shared database too.
			JsonNode meters = usage.get("tables")
				.valueStream()
				.filter((t) -> t.get("table").asString().equals("meter"))
				.findFirst()
				.orElseThrow(() -> new AssertionError(response.body()));
			assertThat(meters.get("rows").asLong()).as(tier.name()).isEqualTo(3);
			assertThat(usage.get("rows").asLong()).isGreaterThanOrEqualTo(3);
			assertThat(usage.get("bytes").asLong()).as(tier.name()).isPositive();
			assertThat(usage.path("requests").path("count").asLong()).isEqualTo(4);
		}
	}

	@Test
	void usageIsForSystemAdminsAndAnUnknownTenantIsNotFound() {
		UUID tenant = provision(Tier.SHARED);
		for (String role : new String[] { "USER", "TENANT_ADMIN" }) {
			assertProblem(this.api.get("/api/v1/admin/tenants/" + tenant + "/usage", token(tenant, role)), 403);
		}
		assertProblem(this.api.get("/api/v1/admin/tenants/" + UUID.randomUUID() + "/usage", this.operator), 404);
		assertProblem(this.api.get("/api/v1/admin/tenants/not-a-uuid/usage", this.operator), 400);
	}

	@Test
	void statusGivesEveryClustersHealthPlacementsCapacityAndPools() {
		UUID tenant = provision(Tier.ENTERPRISE);
		this.api.get("/api/v1/meters", token(tenant, "USER"));
		Response response = this.api.get("/api/v1/admin/database/status", this.operator);
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		JsonNode status = JSON.readTree(response.body());
		assertThat(status.get("status").asString()).isEqualTo("UP");
		assertThat(status.get("clusters").valueStream().map((c) -> c.get("name").asString())).contains("shared-eu",
				"enterprise-eu");
		JsonNode enterprise = status.get("clusters")
			.valueStream()
			.filter((c) -> c.get("name").asString().equals("enterprise-eu"))
			.findFirst()
			.orElseThrow();
		assertThat(enterprise.get("reachable").asBoolean()).isTrue();
		assertThat(enterprise.get("latencyMs").asDouble()).isPositive();
		assertThat(enterprise.get("placements").asInt()).isPositive();
		assertThat(enterprise.get("capacity").asInt()).isPositive();
		assertThat(enterprise.path("queries").path("count").asLong()).isPositive();
		// This instance's KPIs: the request above was served and counted.
		JsonNode process = status.get("process");
		assertThat(process.get("requests").asLong()).isPositive();
		assertThat(process.get("requestSeconds").asDouble()).isPositive();
		assertThat(process.get("heapUsedBytes").asDouble()).isPositive();
		assertThat(process.get("threads").asDouble()).isPositive();
		assertThat(response.body()).doesNotContain(tenant.toString());
		assertProblem(this.api.get("/api/v1/admin/database/status", token(tenant, "TENANT_ADMIN")), 403);
	}

	@Test
	void aUserSeesTheirTenantsPlacementAndTheirOwnDataOnly() {
		UUID tenant = provision(Tier.DEDICATED);
		String user = token(tenant, "USER");
		Response info = this.api.get("/api/v1/admin/database/tenant-info", user);
		assertThat(info.status()).as(info.body()).isEqualTo(200);
		assertThat(JSON.readTree(info.body()).path("placement").path("tier").asString()).isEqualTo("DEDICATED");

		Response summary = this.api.get("/api/v1/admin/database/user-data-summary", user);
		assertThat(summary.status()).as(summary.body()).isEqualTo(200);
		assertThat(JSON.readTree(summary.body()).get("tenantId").asString()).isEqualTo(tenant.toString());
		// Another user's data is not found for a user, and shown to their tenant's admin.
		assertProblem(this.api.get("/api/v1/admin/database/user-data-summary?userId=someone-else", user), 404);
		assertThat(this.api
			.get("/api/v1/admin/database/user-data-summary?userId=someone-else", token(tenant, "TENANT_ADMIN"))
			.status()).isEqualTo(200);
		assertProblem(this.api.get("/api/v1/admin/database/user-data-summary?userId=", user), 400);
	}

	@Test
	void onlySystemAdminsRunAMigrationPassWhichCountsTheStores() {
		UUID tenant = provision(Tier.ENTERPRISE);
		assertProblem(this.api.post("/api/v1/admin/database/migrate", token(tenant, "TENANT_ADMIN"), ""), 403);
		Response response = this.api.post("/api/v1/admin/database/migrate", this.operator, "");
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		JsonNode pass = JSON.readTree(response.body());
		assertThat(pass.get("service").asString()).isEqualTo("billing");
		assertThat(pass.get("total").asInt()).isGreaterThanOrEqualTo(2);
		assertThat(pass.get("failed").asInt()).isZero();
		assertThat(pass.get("migrated").asInt() + pass.get("skipped").asInt()).isEqualTo(pass.get("total").asInt());
	}

	@Test
	void aSystemAdminStartsAndWatchesARolloutAndBadRequestsAreProblems() {
		UUID tenant = provision(Tier.DEDICATED);
		String path = "/api/v1/admin/database/rollouts";
		assertProblem(this.api.post(path, token(tenant, "TENANT_ADMIN"), "{}"), 403);
		assertProblem(this.api.post(path, this.operator, "{\"canary\": 0}"), 400);
		assertProblem(this.api.post(path, this.operator, "{\"maxFailureRate\": 1.5}"), 400);
		assertProblem(this.api.post(path, this.operator, "{\"canary\": \"many\"}"), 400);

		// Every store is current: the rollout has nothing to do and is over at once.
		Response started = this.api.post(path, this.operator, "{\"canary\": 3, \"batchSize\": 50}");
		assertThat(started.status()).as(started.body()).isEqualTo(201);
		JsonNode rollout = JSON.readTree(started.body());
		String id = rollout.get("id").asString();
		assertThat(rollout.get("state").asString()).isEqualTo("COMPLETED");
		assertThat(rollout.get("canary").asInt()).isEqualTo(3);
		assertThat(rollout.path("stores").path("total").asInt()).isZero();

		Response read = this.api.get(path + "/" + id, this.operator);
		assertThat(read.status()).as(read.body()).isEqualTo(200);
		assertThat(JSON.readTree(this.api.get(path, this.operator).body())
			.valueStream()
			.map((r) -> r.get("id").asString())).contains(id);
		Response stores = this.api.get(path + "/" + id + "/stores?state=FAILED&size=10", this.operator);
		assertThat(stores.status()).as(stores.body()).isEqualTo(200);
		assertThat(JSON.readTree(stores.body()).get("items")).isEmpty();
		assertProblem(this.api.get(path + "/" + id + "/stores?state=LOST", this.operator), 400);
		assertProblem(this.api.get(path + "/" + id + "/stores?size=100000", this.operator), 400);
		// An ended rollout is neither paused nor resumed; an unknown one is not found.
		assertProblem(this.api.post(path + "/" + id + "/pause", this.operator, ""), 409);
		assertProblem(this.api.post(path + "/" + id + "/resume", this.operator, ""), 409);
		assertProblem(this.api.get(path + "/" + UUID.randomUUID(), this.operator), 404);
		assertProblem(this.api.post(path + "/" + UUID.randomUUID() + "/pause", this.operator, ""), 404);
		assertProblem(this.api.get(path + "/not-a-uuid", this.operator), 400);
	}

	private UUID provision(Tier tier) {
		UUID tenant = UUID.randomUUID();
		assertThat(this.provisioner.provision(tenant, tier, "eu").state()).isEqualTo(PlacementState.READY);
		return tenant;
	}

	private static void assertProblem(Response response, int status) {
		assertThat(response.status()).as(response.body()).isEqualTo(status);
		assertThat(response.isProblem()).as(response.contentType()).isTrue();
	}

}
