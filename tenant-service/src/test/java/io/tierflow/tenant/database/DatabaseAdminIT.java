package io.tierflow.tenant.database;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.ApiClient.Response;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.tenancy.security.TokenIssuer;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The admin and database APIs across the services, with every tenant-data service down
 * (their URLs name a port nobody listens on): tenant-service answers with its own part
 * and an error entry per service, never a 5xx. And its metrics name no tenant, by id or
 * by slug.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "tierflow.tokens.dev-issuer=true", "spring.profiles.active=dev",
				"tierflow.services.simulation-url=http://127.0.0.1:9", "tierflow.services.file-url=http://127.0.0.1:9",
				"tierflow.services.billing-url=http://127.0.0.1:9",
				"tierflow.services.analytics-url=http://127.0.0.1:9" })
@DirtiesContext
class DatabaseAdminIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		PostgresServer pg = TestPostgres.get();
		pg.dropDatabase("tenantdbadmin");
		pg.createDatabase("tenantdbadmin");
		registry.add("spring.datasource.url", () -> pg.jdbcUrl("tenantdbadmin"));
		registry.add("spring.datasource.username", pg::adminUser);
		registry.add("spring.datasource.password", pg::adminPassword);
		ServiceTestInfrastructure.kafka(registry);
	}

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Autowired
	TokenIssuer tokens;

	ApiClient api;

	String operator;

	@BeforeEach
	void client() {
		this.api = new ApiClient(this.port);
		this.operator = this.tokens.issue("operator", null, List.of("SYSTEM_ADMIN"), Duration.ofMinutes(10));
	}

	@Test
	void usageGivesTenantServicesOwnPartAndAnErrorPerServiceThatIsDown() {
		UUID tenant = create("usage-" + suffix());
		String admin = this.tokens.issue("alice", tenant, List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		this.api.get("/api/v1/tenants/" + tenant, admin);
		this.api.get("/api/v1/tenants/" + tenant + "/users", admin);

		Response response = this.api.get("/api/v1/admin/tenants/" + tenant + "/usage", this.operator);
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		JsonNode usage = JSON.readTree(response.body());
		assertThat(usage.get("complete").asBoolean()).isFalse();
		assertThat(usage.get("services").valueStream().map((s) -> s.get("service").asString()))
			.containsExactly("tenant", "simulation", "file", "billing", "analytics");
		JsonNode own = usage.get("services").get(0);
		assertThat(own.get("ok").asBoolean()).isTrue();
		assertThat(own.get("rows").asLong()).as(response.body()).isPositive();
		assertThat(own.get("bytes").asLong()).isPositive();
		assertThat(own.get("requests").asLong()).isEqualTo(2);
		assertThat(usage.get("services").valueStream().skip(1)).allSatisfy((service) -> {
			assertThat(service.get("ok").asBoolean()).isFalse();
			assertThat(service.get("error").asString()).startsWith("unreachable");
		});
		assertThat(usage.get("rows").asLong()).isEqualTo(own.get("rows").asLong());
	}

	@Test
	void usageIsForSystemAdminsAndAnUnknownTenantIsNotFound() {
		UUID tenant = create("nosy-" + suffix());
		String admin = this.tokens.issue("alice", tenant, List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		assertProblem(this.api.get("/api/v1/admin/tenants/" + tenant + "/usage", admin), 403);
		assertProblem(this.api.get("/api/v1/admin/tenants/" + UUID.randomUUID() + "/usage", this.operator), 404);
	}

	@Test
	void healthServicesAndMetricsShowEachServiceThatIsDown() {
		Response health = this.api.get("/api/v1/admin/database/health", this.operator);
		assertThat(health.status()).as(health.body()).isEqualTo(200);
		JsonNode body = JSON.readTree(health.body());
		assertThat(body.get("status").asString()).isEqualTo("DEGRADED");
		assertThat(body.get("services").get(0).get("status").asString()).isEqualTo("UP");
		assertThat(body.get("services").valueStream().skip(1)).hasSize(4)
			.allSatisfy((s) -> assertThat(s.get("status").asString()).isEqualTo("DOWN"));
		Response services = this.api.get("/api/v1/admin/database/services", this.operator);
		assertThat(services.status()).as(services.body()).isEqualTo(200);
		assertThat(JSON.readTree(services.body()).get("services")).hasSize(4);
		// The metrics start with tenant-service's own instance: what it served, CPU,
		// heap.
		Response metrics = this.api.get("/api/v1/admin/database/metrics", this.operator);
		assertThat(metrics.status()).as(metrics.body()).isEqualTo(200);
		JsonNode figures = JSON.readTree(metrics.body()).get("services");
		assertThat(figures).hasSize(5);
		assertThat(figures.get(0).get("service").asString()).isEqualTo("tenant");
		JsonNode process = figures.get(0).get("process");
		assertThat(process.get("requests").asLong()).isPositive();
		assertThat(process.get("clientErrors").asLong()).isLessThanOrEqualTo(process.get("requests").asLong());
		assertThat(process.get("heapUsedBytes").asDouble()).isPositive();
		assertThat(process.get("connectionsActive").isNumber()).isTrue();
		assertThat(figures.valueStream().skip(1)).allSatisfy((s) -> assertThat(s.get("ok").asBoolean()).isFalse());
		UUID tenant = create("status-" + suffix());
		String admin = this.tokens.issue("alice", tenant, List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		for (String path : List.of("/api/v1/admin/database/health", "/api/v1/admin/database/services",
				"/api/v1/admin/database/metrics")) {
			assertProblem(this.api.get(path, admin), 403);
		}
	}

	@Test
	void aUserSeesTheirTenantAndTheirOwnDataSummary() {
		UUID tenant = create("mine-" + suffix());
		String user = this.tokens.issue("bob", tenant, List.of("USER"), Duration.ofMinutes(5));
		Response info = this.api.get("/api/v1/admin/database/tenant-info", user);
		assertThat(info.status()).as(info.body()).isEqualTo(200);
		assertThat(JSON.readTree(info.body()).path("tenant").path("id").asString()).isEqualTo(tenant.toString());
		Response summary = this.api.get("/api/v1/admin/database/user-data-summary", user);
		assertThat(summary.status()).as(summary.body()).isEqualTo(200);
		assertThat(JSON.readTree(summary.body()).get("userId").asString()).isEqualTo("bob");
		assertProblem(this.api.get("/api/v1/admin/database/user-data-summary?userId=carol", user), 404);
	}

	@Test
	void onlySystemAdminsRunMigrationsOfAServiceTheyName() {
		UUID tenant = create("migrate-" + suffix());
		String admin = this.tokens.issue("alice", tenant, List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		assertProblem(this.api.post("/api/v1/admin/database/migrate", admin, ""), 403);
		assertProblem(this.api.post("/api/v1/admin/database/migrate?service=nope", this.operator, ""), 400);
		Response pass = this.api.post("/api/v1/admin/database/migrate?service=billing", this.operator, "");
		assertThat(pass.status()).as(pass.body()).isEqualTo(200);
		assertThat(JSON.readTree(pass.body()).get("services")).hasSize(1);
	}

	@Test
	void rolloutsGoToTheServicesNamedAndADownServiceIsAnAnswerWithItsError() {
		UUID tenant = create("rollout-" + suffix());
		String admin = this.tokens.issue("alice", tenant, List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		String path = "/api/v1/admin/database/rollouts";
		assertProblem(this.api.post(path, admin, "{}"), 403);
		assertProblem(this.api.get(path, admin), 403);
		assertProblem(this.api.post(path + "?service=nope", this.operator, "{}"), 400);
		assertProblem(this.api.post(path, this.operator, "{\"batchSize\": 0}"), 400);

		Response all = this.api.post(path, this.operator, "{\"canary\": 5}");
		assertThat(all.status()).as(all.body()).isEqualTo(200);
		assertThat(JSON.readTree(all.body()).get("services")).hasSize(4)
			.allSatisfy((s) -> assertThat(s.get("ok").asBoolean()).isFalse());
		Response one = this.api.get(path + "?service=file", this.operator);
		assertThat(JSON.readTree(one.body()).get("services")).hasSize(1);

		UUID id = UUID.randomUUID();
		for (Response down : List.of(this.api.get(path + "/billing/" + id, this.operator),
				this.api.post(path + "/billing/" + id + "/pause", this.operator, ""))) {
			assertThat(down.status()).as(down.body()).isEqualTo(200);
			JsonNode answer = JSON.readTree(down.body());
			assertThat(answer.get("service").asString()).isEqualTo("billing");
			assertThat(answer.get("ok").asBoolean()).isFalse();
			assertThat(answer.get("error").asString()).startsWith("unreachable");
		}
		assertProblem(this.api.get(path + "/nope/" + id, this.operator), 400);
		assertProblem(this.api.get(path + "/billing/" + id + "/stores?state=LOST", this.operator), 400);
		assertProblem(this.api.post(path + "/billing/" + id + "/resume", admin, ""), 403);
	}

	@Test
	void metricsNameNoTenantByIdOrBySlug() {
		String slug = "leaky-" + suffix();
		UUID tenant = create(slug);
		String admin = this.tokens.issue("alice", tenant, List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		this.api.get("/api/v1/tenants/" + tenant, admin);
		this.api.get("/api/v1/tenants/" + tenant + "/users", admin);
		this.api.get("/api/v1/tenants/" + tenant + "/tier-changes", admin);
		this.api.get("/api/v1/admin/tenants/" + tenant + "/usage", this.operator);
		this.api.get("/api/v1/tenants/" + UUID.randomUUID(), admin);
		this.api.post("/api/v1/password-resets", null, "{\"tenant\":\"" + slug + "\",\"email\":\"x@example.com\"}");
		ApiClient management = new ApiClient(this.managementPort);
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(management.get("/actuator/prometheus", this.operator).body())
				.contains("http_server_requests_seconds")
				// Consumer lag, per group and topic: the binder's.
				.contains("spring_cloud_stream_binder_kafka_offset{"));
		String scrape = management.get("/actuator/prometheus", this.operator).body();
		assertThat(scrape).doesNotContain(tenant.toString())
			.doesNotContain(tenant.toString().replace("-", ""))
			.doesNotContain(slug);
		assertThat(scrape.lines().filter((line) -> !line.startsWith("#")))
			.noneMatch((line) -> line.matches(".*[{,]tenant[a-z_]*=.*"));
	}

	private UUID create(String slug) {
		Response response = this.api.post("/api/v1/tenants", this.operator,
				"{\"name\":\"Tenant " + slug + "\",\"slug\":\"" + slug + "\",\"plan\":\"STANDARD\",\"region\":\"eu\"}");
		assertThat(response.status()).as(response.body()).isEqualTo(201);
		return UUID.fromString(JSON.readTree(response.body()).get("id").asString());
	}

	private static String suffix() {
		return UUID.randomUUID().toString().substring(0, 8);
	}

	private static void assertProblem(Response response, int status) {
		assertThat(response.status()).as(response.body()).isEqualTo(status);
		assertThat(response.isProblem()).as(response.contentType()).isTrue();
	}

}
