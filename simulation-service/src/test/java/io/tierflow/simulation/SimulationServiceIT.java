package io.tierflow.simulation;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.tenant.TenantCreated;
import io.tierflow.events.tenant.TenantStatusChanged;
import io.tierflow.events.tenant.UserCreated;
import io.tierflow.events.tenant.UserDeleted;
import io.tierflow.events.tenant.UserRoleChanged;
import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.ApiClient.Response;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.TestEvents;
import io.tierflow.servicetest.TestTokenDecoderConfiguration;
import io.tierflow.tenancy.context.TenantContext;
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
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.tierflow.servicetest.ServiceTestInfrastructure.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

// Quota overrides that make the monthly and concurrent limits reachable in a test; quick
// heartbeats and sweeps so that a lost run is failed within seconds.
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "tierflow.simulation.quota.dedicated.runs-per-month=3",
				"tierflow.simulation.quota.dedicated.runs-per-month-per-user=1",
				"tierflow.simulation.quota.enterprise.concurrent-runs=1", "tierflow.simulation.heartbeat-interval=1s",
				"tierflow.simulation.stale-after=4s", "tierflow.simulation.sweep-interval=1s" })
@Import(TestTokenDecoderConfiguration.class)
class SimulationServiceIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		ServiceTestInfrastructure.tenantDataService(registry, "simulation", "simit");
	}

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Autowired
	private io.micrometer.core.instrument.MeterRegistry meters;

	@Autowired
	TenantProvisioner provisioner;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	PlatformTransactionManager transactionManager;

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
	void metricsAreForOperatorsAndNameNoTenant() {
		UUID a = provision(Tier.SHARED);
		String t = token(a, "USER");
		assertThat(this.api.get("/api/v1/models", t).status()).isEqualTo(200);
		// The actuator answers on the management port only.
		ApiClient management = new ApiClient(this.managementPort);
		assertProblem(management.get("/actuator/metrics", t), 403);
		assertProblem(management.get("/actuator/metrics/http.server.requests", token(a, "TENANT_ADMIN")), 403);
		assertThat(this.api.get("/readyz", null).status()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			ApiClient.Response metric = management.get("/actuator/metrics/http.server.requests",
					ServiceTestInfrastructure.systemAdminToken());
			assertThat(metric.status()).isEqualTo(200);
			assertThat(metric.body()).doesNotContain(a.toString()).doesNotContain("\"tenant\"");
		});
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

	// --- Runs ---

	private static final String MODEL = """
			{"inputs": [
			   {"name": "units", "distribution": {"type": "normal", "mean": 1000, "sd": 100}},
			   {"name": "price", "distribution": {"type": "discrete", "values": [9, 10, 12], "probabilities": [0.2, 0.5, 0.3]}},
			   {"name": "fee", "distribution": {"type": "fixed", "value": 5}}],
			 "correlations": [{"between": ["units", "price"], "rho": -0.4}],
			 "outputs": [{"name": "u", "expression": "units"}, {"name": "revenue", "expression": "units * price - fee"}]}
			""";

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void runCompletesWithStatisticsAndEventsOnceAndRepeatsWithItsSeed() {
		UUID a = provision(Tier.DEDICATED);
		String t = token(a, "USER");
		String model = model(t, MODEL);
		try (TestEvents.Reader events = TestEvents.read(Topics.SIMULATION)) {
			Response started = startRun(t, model, 100_000, 7L);
			assertThat(started.status()).as(started.body()).isEqualTo(202);
			JsonNode run = JSON.readTree(started.body());
			assertThat(run.get("status").asString()).isEqualTo("RUNNING");
			assertThat(run.get("seed").asLong()).isEqualTo(7);
			String id = run.get("id").asString();

			JsonNode done = awaitEnd(t, id);
			assertThat(done.get("status").asString()).isEqualTo("COMPLETED");
			assertThat(done.get("iterationsDone").asLong()).isEqualTo(100_000);
			assertThat(done.get("progressPercent").asDouble()).isEqualTo(100.0);
			JsonNode u = output(done, "u");
			assertThat(u.get("mean").asDouble()).isCloseTo(1000, org.assertj.core.data.Offset.offset(2.0));
			assertThat(u.get("standardDeviation").asDouble()).isCloseTo(100, org.assertj.core.data.Offset.offset(3.0));
			assertThat(u.get("percentiles")).hasSize(9);
			assertThat(output(done, "revenue").get("mean").asDouble()).isBetween(9_000.0, 11_500.0);

			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
				assertThat(events.data(EventTypes.SIMULATION_STARTED, a)).hasSize(1);
				assertThat(events.data(EventTypes.SIMULATION_COMPLETED, a)).hasSize(1);
			});
			JsonNode startedEvent = events.data(EventTypes.SIMULATION_STARTED, a).get(0);
			assertThat(startedEvent.get("runId").asString()).isEqualTo(id);
			assertThat(startedEvent.get("iterations").asLong()).isEqualTo(100_000);
			assertThat(startedEvent.get("seed").asLong()).isEqualTo(7);
			JsonNode completed = events.data(EventTypes.SIMULATION_COMPLETED, a).get(0);
			assertThat(completed.get("runId").asString()).isEqualTo(id);
			assertThat(completed.get("iterations").asLong()).isEqualTo(100_000);
			assertThat(completed.get("cpuMillis").isIntegralNumber()).isTrue();
			assertThat(completed.get("cpuMillis").asLong()).isGreaterThanOrEqualTo(0);
			assertThat(completed.get("durationMillis").asLong()).isGreaterThanOrEqualTo(0);
			assertThat(events.data(EventTypes.SIMULATION_FAILED, a)).isEmpty();

			String again = JSON.readTree(startRun(t, model, 100_000, 7L).body()).get("id").asString();
			JsonNode repeated = awaitEnd(t, again);
			assertThat(repeated.get("result")).isEqualTo(done.get("result"));
			// Newest first.
			JsonNode listed = JSON.readTree(this.api.get("/api/v1/runs", t).body()).get("items");
			assertThat(listed).hasSize(2);
			assertThat(listed.get(0).get("id").asString()).isEqualTo(again);
			assertThat(listed.get(1).get("id").asString()).isEqualTo(id);
		}
	}

	@Test
	void runWithoutSeedGetsOneAndReturnsIt() {
		UUID a = provision(Tier.SHARED);
		String t = token(a, "USER");
		Response started = this.api.post("/api/v1/models/" + model(t, MODEL) + "/runs", t, "{\"iterations\":50000}");
		assertThat(started.status()).isEqualTo(202);
		assertThat(JSON.readTree(started.body()).get("seed").isIntegralNumber()).isTrue();
		awaitEnd(t, JSON.readTree(started.body()).get("id").asString());
	}

	@Test
	void invalidModelIsRefusedWithEveryFaultNamed() {
		UUID a = provision(Tier.SHARED);
		String t = token(a, "USER");
		Response engineFaults = this.api.post("/api/v1/models", t, """
				{"name": "bad", "definition": {
				  "inputs": [{"name": "a", "distribution": {"type": "normal", "mean": 1, "sd": -1}}],
				  "outputs": [{"name": "x", "expression": "a * nope"}]}}
				""");
		assertProblem(engineFaults, 422);
		JsonNode faults = JSON.readTree(engineFaults.body()).get("faults");
		assertThat(faults).hasSizeGreaterThanOrEqualTo(2);
		assertThat(faults.findValuesAsString("subject")).contains("a", "x");
		assertThat(faults.findValuesAsString("kind")).contains("BAD_PARAMETER", "UNKNOWN_NAME");
		assertThat(faults.findValuesAsString("message")).allSatisfy((m) -> assertThat(m).isNotBlank());

		Response shapeFaults = this.api.post("/api/v1/models", t, """
				{"name": "shapeless", "definition": {
				  "inputs": [{"name": "a"}, {"name": "b", "distribution": {"type": "gamma"}}],
				  "outputs": [{"name": "x", "expresion": "a"}]}}
				""");
		assertProblem(shapeFaults, 422);
		assertThat(JSON.readTree(shapeFaults.body()).get("faults").findValuesAsString("subject")).contains(
				"inputs[0].distribution", "inputs[1].distribution.type", "outputs[0].expresion",
				"outputs[0].expression");
		assertProblem(this.api.post("/api/v1/models", t, "{\"name\":\"array\",\"definition\":[1]}"), 422);

		// A model saved without a definition is fine, running it is not.
		String empty = JSON.readTree(this.api.post("/api/v1/models", t, "{\"name\":\"draft\"}").body())
			.get("id")
			.asString();
		Response run = startRun(t, empty, 1000, 1L);
		assertProblem(run, 422);
		assertThat(JSON.readTree(run.body()).get("faults").findValuesAsString("kind")).contains("EMPTY_MODEL");
		assertThat(this.api.get("/api/v1/runs", t).body()).doesNotContain(empty);
	}

	@Test
	void aModelIsEditedWholeOnlyByItsTenantAndAFaultyEditChangesNothing() {
		UUID a = provision(Tier.SHARED);
		UUID b = provision(Tier.SHARED);
		String t = token(a, "USER");
		String id = JSON.readTree(this.api.post("/api/v1/models", t, "{\"name\":\"draft-edit\"}").body())
			.get("id")
			.asString();
		this.api.post("/api/v1/models", t, "{\"name\":\"taken\"}");

		Response faulty = this.api.put("/api/v1/models/" + id, t, """
				{"name": "draft-edit", "definition": {
				  "inputs": [{"name": "a", "distribution": {"type": "normal", "mean": 1, "sd": 1}}],
				  "outputs": [{"name": "x", "expression": "a * (2 +"}]}}
				""");
		assertProblem(faulty, 422);
		JsonNode fault = JSON.readTree(faulty.body()).get("faults").get(0);
		assertThat(fault.get("subject").asString()).isEqualTo("x");
		assertThat(fault.get("message").asString()).contains("at position");
		assertThat(JSON.readTree(this.api.get("/api/v1/models/" + id, t).body()).get("definition")).isEmpty();

		Response fixed = this.api.put("/api/v1/models/" + id, t, """
				{"name": "edited", "description": "now runnable", "definition": {
				  "inputs": [{"name": "a", "distribution": {"type": "normal", "mean": 1, "sd": 1}}],
				  "outputs": [{"name": "x", "expression": "a * (2 + a)"}]}}
				""");
		assertThat(fixed.status()).as(fixed.body()).isEqualTo(200);
		JsonNode read = JSON.readTree(this.api.get("/api/v1/models/" + id, t).body());
		assertThat(read.get("name").asString()).isEqualTo("edited");
		assertThat(read.get("definition").get("outputs").get(0).get("expression").asString()).isEqualTo("a * (2 + a)");
		assertThat(startRun(t, id, 1000, 7L).status()).isEqualTo(202);

		assertProblem(this.api.put("/api/v1/models/" + id, t, "{\"name\":\"taken\"}"), 409);
		assertProblem(this.api.put("/api/v1/models/" + id, token(b, "USER"), "{\"name\":\"stolen\"}"), 404);
		assertProblem(this.api.put("/api/v1/models/" + UUID.randomUUID(), t, "{\"name\":\"nothing\"}"), 404);
		assertProblem(this.api.put("/api/v1/models/" + id, t, "{\"name\":\"\"}"), 400);
		assertProblem(this.api.put("/api/v1/models/" + id, token(a, "READ_ONLY"), "{\"name\":\"reader\"}"), 403);
		assertThat(JSON.readTree(this.api.get("/api/v1/models/" + id, t).body()).get("name").asString())
			.isEqualTo("edited");
	}

	@Test
	void iterationsAboveTheTiersLimitAreForbidden() {
		UUID a = provision(Tier.SHARED);
		String t = token(a, "USER");
		Response refused = startRun(t, model(t, MODEL), 1_000_001, 1L);
		assertProblem(refused, 403);
		JsonNode problem = JSON.readTree(refused.body());
		assertThat(problem.get("limit").asString()).isEqualTo("iterationsPerRun");
		assertThat(problem.get("limitValue").asLong()).isEqualTo(1_000_000);
		assertThat(problem.get("detail").asString()).contains("1000000");
	}

	@Test
	void runsBeyondTheMonthlyLimitWaitForNextMonth() throws Exception {
		UUID a = provision(Tier.DEDICATED); // 3 runs a month in this test
		String t = token(a, "USER");
		String model = model(t, MODEL);
		for (int i = 0; i < 3; i++) {
			Response started = startRun(t, model, 50_000, (long) i);
			assertThat(started.status()).as(started.body()).isEqualTo(202);
			awaitEnd(t, JSON.readTree(started.body()).get("id").asString());
		}
		HttpResponse<String> refused = this.http.send(HttpRequest
			.newBuilder(URI.create("http://localhost:" + this.port + "/api/v1/models/" + model + "/runs"))
			.header("Authorization", "Bearer " + t)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"iterations\":1000}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(refused.statusCode()).isEqualTo(429);
		assertThat(refused.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
		long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
		OffsetDateTime nextMonth = OffsetDateTime.now(ZoneOffset.UTC)
			.withDayOfMonth(1)
			.truncatedTo(ChronoUnit.DAYS)
			.plusMonths(1);
		assertThat(retryAfter).isPositive().isLessThanOrEqualTo(Duration.ofDays(31).toSeconds());
		JsonNode problem = JSON.readTree(refused.body());
		assertThat(OffsetDateTime.parse(problem.get("resetsAt").asString()).toInstant())
			.isEqualTo(nextMonth.toInstant());
		assertThat(problem.get("limit").asString()).isEqualTo("runsPerMonth");
		assertThat(problem.get("seats").asInt()).isZero();

		// A user joins (user.created, delivered twice): one seat, one more run a month.
		JsonNode quota = JSON.readTree(this.api.get("/api/v1/runs/quota", t).body());
		assertThat(quota.get("runsPerMonth").asLong()).isEqualTo(3);
		assertThat(quota.get("runsThisMonth").asLong()).isEqualTo(3);
		String userCreated = UUID.randomUUID().toString();
		UserCreated user = new UserCreated(a, UUID.randomUUID(), "ada@example.com", "Ada", "USER");
		TestEvents.publish(Topics.USER, EventTypes.USER_CREATED, a, userCreated, user);
		TestEvents.publish(Topics.USER, EventTypes.USER_CREATED, a, userCreated, user);
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(
					() -> assertThat(JSON.readTree(this.api.get("/api/v1/runs/quota", t).body()).get("seats").asInt())
						.isEqualTo(1));
		await().during(Duration.ofSeconds(1))
			.atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(
					JSON.readTree(this.api.get("/api/v1/runs/quota", t).body()).get("runsPerMonth").asLong())
				.isEqualTo(4));
		Response fourth = startRun(t, model, 50_000, 4L);
		assertThat(fourth.status()).as(fourth.body()).isEqualTo(202);
		awaitEnd(t, JSON.readTree(fourth.body()).get("id").asString());
		Response fifth = startRun(t, model, 50_000, 5L);
		assertProblem(fifth, 429);
		assertThat(JSON.readTree(fifth.body()).get("seats").asInt()).isEqualTo(1);
	}

	@Test
	void aDeletedUsersSeatLeavesOnceAndARedeliveredCreationDoesNotBringItBack() {
		UUID a = provision(Tier.DEDICATED); // 3 runs a month, and 1 more per seat here
		String t = token(a, "USER");
		UserCreated ada = new UserCreated(a, UUID.randomUUID(), "ada@example.com", "Ada", "USER");
		String adaCreated = UUID.randomUUID().toString();
		TestEvents.publish(Topics.USER, EventTypes.USER_CREATED, a, adaCreated, ada);
		TestEvents.publish(Topics.USER, EventTypes.USER_CREATED, a, UUID.randomUUID().toString(),
				new UserCreated(a, UUID.randomUUID(), "bea@example.com", "Bea", "USER"));
		awaitSeats(t, 2, 5);

		// Ada leaves; her user.deleted is delivered twice: one seat less, once.
		String adaDeleted = UUID.randomUUID().toString();
		UserDeleted gone = new UserDeleted(a, ada.userId());
		TestEvents.publish(Topics.USER, EventTypes.USER_DELETED, a, adaDeleted, gone);
		TestEvents.publish(Topics.USER, EventTypes.USER_DELETED, a, adaDeleted, gone);
		TestEvents.publish(Topics.USER, EventTypes.USER_ROLE_CHANGED, a, UUID.randomUUID().toString(),
				new UserRoleChanged(a, ada.userId(), "TENANT_ADMIN", "USER")); // moves no
																				// seat
		awaitSeats(t, 1, 4);

		// A user.created on this tenant's record whose data names another tenant: refused
		// to the dead-letter topic and counted, no seat.
		double refusedBefore = refusedSeatEvents();
		TestEvents.publish(Topics.USER, EventTypes.USER_CREATED, a, UUID.randomUUID().toString(),
				new UserCreated(UUID.randomUUID(), UUID.randomUUID(), "eve@example.com", "Eve", "USER"));
		// Her old user.created, delivered once more, and then a newcomer's on the same
		// partition: once the newcomer has a seat, the redelivery (and the forged one)
		// have been handled, and Ada's seat did not come back.
		TestEvents.publish(Topics.USER, EventTypes.USER_CREATED, a, adaCreated, ada);
		TestEvents.publish(Topics.USER, EventTypes.USER_CREATED, a, UUID.randomUUID().toString(),
				new UserCreated(a, UUID.randomUUID(), "cy@example.com", "Cy", "USER"));
		awaitSeats(t, 2, 5);
		JsonNode quota = JSON.readTree(this.api.get("/api/v1/runs/quota", t).body());
		assertThat(quota.get("seats").asInt()).isEqualTo(2);
		assertThat(quota.get("runsPerMonth").asLong()).isEqualTo(5);
		assertThat(refusedSeatEvents()).isEqualTo(refusedBefore + 1);
	}

	private double refusedSeatEvents() {
		var counter = this.meters.find("tierflow.events.refused").tag("consumer", "simulation.seats").counter();
		return (counter != null) ? counter.count() : 0;
	}

	/** Waits until the tenant has {@code seats} seats and the monthly runs they give. */
	private void awaitSeats(String token, int seats, long runsPerMonth) {
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			JsonNode quota = JSON.readTree(this.api.get("/api/v1/runs/quota", token).body());
			assertThat(quota.get("seats").asInt()).isEqualTo(seats);
			assertThat(quota.get("runsPerMonth").asLong()).isEqualTo(runsPerMonth);
		});
	}

	@Test
	void concurrentLimitRefusesUntilARunEndsAndCancelEndsARun() {
		UUID a = provision(Tier.ENTERPRISE); // 1 run at a time in this test
		String t = token(a, "USER");
		String model = model(t, MODEL);
		try (TestEvents.Reader events = TestEvents.read(Topics.SIMULATION)) {
			Response long1 = startRun(t, model, 100_000_000, 1L);
			assertThat(long1.status()).as(long1.body()).isEqualTo(202);
			String id = JSON.readTree(long1.body()).get("id").asString();

			Response second = startRun(t, model, 1000, 2L);
			assertProblem(second, 429);
			assertThat(JSON.readTree(second.body()).get("limit").asString()).isEqualTo("concurrentRuns");

			// Another user of the tenant may not cancel it; its starter may (and a tenant
			// admin could).
			Response notTheirs = this.api.post("/api/v1/runs/" + id + "/cancel", token(a, "USER"), "");
			assertProblem(notTheirs, 403);
			assertThat(notTheirs.body()).contains("Only the user who started run " + id);
			Response cancelled = this.api.post("/api/v1/runs/" + id + "/cancel", t, "");
			assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(202);
			JsonNode ended = awaitEnd(t, id);
			assertThat(ended.get("status").asString()).isEqualTo("CANCELLED");
			assertThat(ended.get("iterationsDone").asLong()).isLessThan(100_000_000);
			assertProblem(this.api.post("/api/v1/runs/" + id + "/cancel", t, ""), 409);

			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
				List<JsonNode> failed = events.data(EventTypes.SIMULATION_FAILED, a);
				assertThat(failed).hasSize(1);
				assertThat(failed.get(0).get("cancelled").asBoolean()).isTrue();
				assertThat(failed.get(0).get("runId").asString()).isEqualTo(id);
			});
			assertThat(events.data(EventTypes.SIMULATION_COMPLETED, a)).isEmpty();

			// The slot is free again.
			Response third = startRun(t, model, 1000, 3L);
			assertThat(third.status()).as(third.body()).isEqualTo(202);
			awaitEnd(t, JSON.readTree(third.body()).get("id").asString());
		}
	}

	@Test
	void progressStreamsProgressThenTheResult() throws Exception {
		UUID a = provision(Tier.ENTERPRISE);
		String t = token(a, "USER");
		// Long enough on any machine to report progress twice; cancelled then, so that it
		// does not compute for long where it is slow.
		Response started = startRun(t, model(t, MODEL), 100_000_000, 5L);
		assertThat(started.status()).as(started.body()).isEqualTo(202);
		String id = JSON.readTree(started.body()).get("id").asString();

		HttpResponse<Stream<String>> stream = sse("/api/v1/runs/" + id + "/progress", t);
		assertThat(stream.statusCode()).isEqualTo(200);
		assertThat(stream.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
		int[] cancels = { 0 };
		List<String[]> events = events(stream, (received) -> {
			if (received.stream().filter((e) -> e[0].equals("progress")).count() == 2 && cancels[0]++ == 0) {
				// 202, or 409 if it has just completed.
				assertThat(this.api.post("/api/v1/runs/" + id + "/cancel", t, "").status()).isIn(202, 409);
			}
		});
		List<String> names = events.stream().map((e) -> e[0]).toList();
		assertThat(names.stream().filter("progress"::equals).count()).as(names.toString()).isGreaterThanOrEqualTo(2);
		assertThat(names.get(names.size() - 1)).isEqualTo("result");
		assertThat(names.stream().filter("result"::equals).count()).isEqualTo(1);
		JsonNode progress = JSON.readTree(events.get(0)[1]);
		assertThat(progress.has("percent")).isTrue();
		assertThat(progress.has("iterationsDone")).isTrue();
		assertThat(progress.has("iterationsPerSecond")).isTrue();
		assertThat(progress.has("etaSeconds")).isTrue();
		JsonNode result = JSON.readTree(events.get(events.size() - 1)[1]);
		assertThat(result.get("id").asString()).isEqualTo(id);
		assertThat(result.get("status").asString()).isIn("CANCELLED", "COMPLETED");
		assertThat(output(result, "u").get("mean").asDouble()).isCloseTo(1000,
				org.assertj.core.data.Offset.offset(5.0));

		// After the end: the result at once, and the stream ends.
		List<String[]> late = events(sse("/api/v1/runs/" + id + "/progress", t), (received) -> {
		});
		assertThat(late).hasSize(1);
		assertThat(late.get(0)[0]).isEqualTo("result");
		assertThat(JSON.readTree(late.get(0)[1]).get("status").asString()).isEqualTo(result.get("status").asString());
	}

	@ParameterizedTest
	@EnumSource(Tier.class)
	void anotherTenantCannotSeeCancelOrStreamARun(Tier tier) throws Exception {
		UUID a = provision(tier);
		UUID b = provision(tier);
		String tokenA = token(a, "USER");
		String tokenB = token(b, "USER");
		String model = model(tokenA, MODEL);
		String id = JSON.readTree(startRun(tokenA, model, 50_000, 1L).body()).get("id").asString();

		assertProblem(this.api.get("/api/v1/runs/" + id, tokenB), 404);
		assertProblem(this.api.post("/api/v1/runs/" + id + "/cancel", tokenB, ""), 404);
		assertProblem(startRun(tokenB, model, 1000, 1L), 404);
		HttpResponse<Stream<String>> stream = sse("/api/v1/runs/" + id + "/progress", tokenB);
		assertThat(stream.statusCode()).isEqualTo(404);
		assertThat(stream.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
		stream.body().close();
		assertThat(this.api.get("/api/v1/runs", tokenB).body()).doesNotContain(id);
		assertThat(awaitEnd(tokenA, id).get("status").asString()).isEqualTo("COMPLETED");
	}

	@Test
	void malformedRunRequestsAreProblems() {
		UUID a = provision(Tier.SHARED);
		String t = token(a, "USER");
		String model = model(t, MODEL);
		String runs = "/api/v1/models/" + model + "/runs";
		assertProblem(this.api.post(runs, t, "{not json"), 400);
		assertProblem(this.api.post(runs, t, "{}"), 400);
		assertProblem(this.api.post(runs, t, "{\"iterations\":0}"), 400);
		assertProblem(this.api.post(runs, t, "{\"iterations\":-5}"), 400);
		assertProblem(this.api.post(runs, t, "{\"iterations\":\"many\"}"), 400);
		assertProblem(this.api.post(runs, t, "{\"iterations\":1e40}"), 400);
		assertProblem(this.api.post(runs, t, "{\"iterations\":100,\"seed\":\"x\"}"), 400);
		assertProblem(this.api.post(runs, t, "[1]"), 400);
		assertProblem(this.api.post("/api/v1/models/not-a-uuid/runs", t, "{\"iterations\":10}"), 400);
		assertProblem(this.api.post("/api/v1/models/" + UUID.randomUUID() + "/runs", t, "{\"iterations\":10}"), 404);
		assertProblem(this.api.get("/api/v1/runs/not-a-uuid", t), 400);
		assertProblem(this.api.get("/api/v1/runs/" + UUID.randomUUID(), t), 404);
		assertProblem(this.api.post("/api/v1/runs/" + UUID.randomUUID() + "/cancel", t, ""), 404);
		assertProblem(this.api.get("/api/v1/runs?size=0", t), 400);
		assertProblem(this.api.get("/api/v1/runs?page=-1", t), 400);
		assertProblem(this.api.get("/api/v1/runs", null), 401);
		assertProblem(this.api.post(runs, null, "{\"iterations\":10}"), 401);
	}

	@ParameterizedTest
	@EnumSource(Tier.class)
	void runLostWithItsInstanceIsFailedBySweep(Tier tier) {
		UUID a = provision(tier);
		String t = token(a, "USER");
		String model = model(t, MODEL);
		UUID lost = UUID.randomUUID();
		// A run left RUNNING by an instance that died an hour ago.
		TenantContext.run(a,
				() -> new TransactionTemplate(this.transactionManager).executeWithoutResult((s) -> this.jdbc
					.sql("insert into simulation_run (tenant_id, id, model_id, iterations, seed, status, requested_by,"
							+ " created_at, started_at, heartbeat_at) values (?, ?, ?, 1000, 1, 'RUNNING', 'gone',"
							+ " now() - interval '1 hour', now() - interval '1 hour', now() - interval '1 hour')")
					.params(a, lost, UUID.fromString(model))
					.update()));
		try (TestEvents.Reader events = TestEvents.read(Topics.SIMULATION)) {
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
				JsonNode run = JSON.readTree(this.api.get("/api/v1/runs/" + lost, t).body());
				assertThat(run.get("status").asString()).isEqualTo("FAILED");
				assertThat(run.get("error").asString()).contains("lost");
			});
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
				List<JsonNode> failed = events.data(EventTypes.SIMULATION_FAILED, a);
				assertThat(failed).hasSize(1);
				assertThat(failed.get(0).get("cancelled").asBoolean()).isFalse();
			});
		}
	}

	private String model(String token, String definition) {
		Response created = this.api.post("/api/v1/models", token,
				"{\"name\":\"m-" + UUID.randomUUID() + "\",\"definition\":" + definition + "}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return JSON.readTree(created.body()).get("id").asString();
	}

	private Response startRun(String token, String modelId, long iterations, Long seed) {
		return this.api.post("/api/v1/models/" + modelId + "/runs", token,
				"{\"iterations\":" + iterations + ((seed != null) ? ",\"seed\":" + seed : "") + "}");
	}

	private JsonNode awaitEnd(String token, String runId) {
		JsonNode[] run = new JsonNode[1];
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
			Response r = this.api.get("/api/v1/runs/" + runId, token);
			assertThat(r.status()).as(r.body()).isEqualTo(200);
			run[0] = JSON.readTree(r.body());
			assertThat(run[0].get("status").asString()).isIn("COMPLETED", "CANCELLED", "FAILED");
		});
		return run[0];
	}

	private static JsonNode output(JsonNode run, String name) {
		for (JsonNode output : run.get("result").get("outputs")) {
			if (output.get("name").asString().equals(name)) {
				return output;
			}
		}
		throw new AssertionError("No output " + name + " in " + run);
	}

	private HttpResponse<Stream<String>> sse(String path, String token) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.header("Authorization", "Bearer " + token)
			.header("Accept", "text/event-stream")
			.timeout(Duration.ofSeconds(60))
			.GET()
			.build(), HttpResponse.BodyHandlers.ofLines());
	}

	/**
	 * The events of a stream until it ends: name and data of each; {@code onEvent} sees
	 * the events so far after each one.
	 */
	private static List<String[]> events(HttpResponse<Stream<String>> response,
			java.util.function.Consumer<List<String[]>> onEvent) {
		List<String[]> events = new ArrayList<>();
		String[] current = { null, null };
		try (Stream<String> lines = response.body()) {
			lines.forEach((line) -> {
				if (line.startsWith("event:")) {
					current[0] = line.substring(6).trim();
				}
				else if (line.startsWith("data:")) {
					current[1] = ((current[1] != null) ? current[1] + "\n" : "") + line.substring(5);
				}
				else if (line.isEmpty() && current[0] != null) {
					events.add(new String[] { current[0], current[1] });
					current[0] = null;
					current[1] = null;
					onEvent.accept(events);
				}
			});
		}
		return events;
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
