package io.tierflow.analytics;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierflow.events.EventTypes;
import io.tierflow.events.ForeignTenantEvents;
import io.tierflow.events.Topics;
import io.tierflow.events.file.FileDeleted;
import io.tierflow.events.file.FileUploaded;
import io.tierflow.events.simulation.SimulationCompleted;
import io.tierflow.events.simulation.SimulationFailed;
import io.tierflow.events.simulation.SimulationStarted;
import io.tierflow.events.tenant.UserCreated;
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
class AnalyticsServiceIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String DASHBOARDS = "/api/v1/dashboards";

	private static final String DAILY = "/api/v1/analytics/daily";

	/** Just over the 64 KiB bound on a definition's JSON text. */
	private static final int NEAR_LIMIT = 65_536;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		ServiceTestInfrastructure.tenantDataService(registry, "analytics", "anait");
	}

	@LocalServerPort
	int port;

	@Autowired
	TenantProvisioner provisioner;

	@Autowired
	MeterRegistry meters;

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
			assertThat(reply.get("service").asString()).isEqualTo("analytics");
			assertThat(reply.get("status").asString()).isEqualTo("READY");
			assertThat(reply.get("tier").asString()).isEqualTo(tier.name());
			assertThat(this.provisioner.find(tenant).orElseThrow().state()).isEqualTo(PlacementState.READY);
			String t = token(tenant, "USER");
			assertThat(this.api.post(DASHBOARDS, t, "{\"name\":\"first\"}").status()).isEqualTo(201);

			// Same key, same partition: once this later event is applied, both deliveries
			// of tenant.created have been handled, and their replies committed and
			// relayed.
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_SUSPENDED, tenant, UUID.randomUUID().toString(),
					new TenantStatusChanged(tenant, "SUSPENDED"));
			await().atMost(Duration.ofSeconds(30)).until(() -> this.provisioner.find(tenant).orElseThrow().suspended());
			await().during(Duration.ofMillis(500))
				.atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(replies.data(EventTypes.TENANT_PROVISIONED, tenant)).hasSize(1));
			assertProblem(this.api.get(DASHBOARDS, t), 403);
		}
	}

	@ParameterizedTest
	@EnumSource(Tier.class)
	void tenantTokenNeverReachesAnotherTenantsDashboards(Tier tier) {
		UUID a = provision(tier);
		UUID b = provision(tier);
		String tokenA = token(a, "USER");
		String tokenB = token(b, "USER");
		String idOfB = idOf(this.api.post(DASHBOARDS, tokenB, "{\"name\":\"secret\"}"));

		// Path id of another tenant's dashboard: not found, never served.
		assertProblem(this.api.get(DASHBOARDS + "/" + idOfB, tokenA), 404);
		// Header naming another tenant: forbidden for a tenant user.
		assertProblem(this.api.get(DASHBOARDS + "/" + idOfB, tokenA, "X-Tenant-Id", b.toString()), 403);
		assertProblem(this.api.get(DASHBOARDS, tokenA, "X-Tenant-Id", b.toString()), 403);
		assertProblem(this.api.post(DASHBOARDS, tokenA, "{\"name\":\"via-header\"}", "X-Tenant-Id", b.toString()), 403);
		// Query parameters and body fields naming another tenant are ignored.
		Response listed = this.api.get(DASHBOARDS + "?tenantId=" + b + "&tenant_id=" + b, tokenA);
		assertThat(listed.status()).isEqualTo(200);
		assertThat(listed.body()).doesNotContain("secret");
		Response smuggled = this.api.post(DASHBOARDS + "?tenantId=" + b, tokenA,
				"{\"name\":\"mine\",\"tenantId\":\"" + b + "\",\"tenant_id\":\"" + b + "\"}");
		assertThat(smuggled.status()).isEqualTo(201);
		assertThat(this.api.get(DASHBOARDS + "/" + idOf(smuggled), tokenA).status()).isEqualTo(200);
		assertThat(this.api.get(DASHBOARDS + "/" + idOf(smuggled), tokenB).status()).isEqualTo(404);
		// Listings never show the other tenant's rows.
		assertThat(names(this.api.get(DASHBOARDS + "?size=200", tokenB))).containsExactly("secret");
		assertThat(names(this.api.get(DASHBOARDS + "?size=200", tokenA))).containsExactly("mine");
		// Unique names are per tenant: B's name is free for A.
		assertThat(this.api.post(DASHBOARDS, tokenA, "{\"name\":\"secret\"}").status()).isEqualTo(201);
	}

	@Test
	void createsReadsAndPagesDashboards() {
		String t = token(provision(Tier.SHARED), "USER");
		String definition = "{\"widgets\":[{\"kind\":\"line\",\"metric\":\"runs\",\"window\":\"P7D\"}],"
				+ "\"refresh\":30,\"shared\":true,\"note\":null,\"ratio\":0.25,\"big\":123456789012345678901234567890}";
		Response created = this.api.post(DASHBOARDS, t, "{\"name\":\"usage\",\"definition\":" + definition + "}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		JsonNode dashboard = JSON.readTree(created.body());
		Response read = this.api.get(DASHBOARDS + "/" + dashboard.get("id").asString(), t);
		assertThat(read.status()).isEqualTo(200);
		assertThat(JSON.readTree(read.body())).isEqualTo(dashboard);
		assertThat(dashboard.get("name").asString()).isEqualTo("usage");
		assertThat(dashboard.get("definition")).isEqualTo(JSON.readTree(definition));
		assertThat(dashboard.get("createdAt").isNull()).isFalse();
		// The definition is optional: absent or null, it is an empty object.
		Response bare = this.api.post(DASHBOARDS, t, "{\"name\":\"bare\"}");
		assertThat(JSON.readTree(bare.body()).get("definition")).isEqualTo(JSON.readTree("{}"));
		Response explicitNull = this.api.post(DASHBOARDS, t,
				"{\"name\":\"" + "n".repeat(100) + "\",\"definition\":null}");
		assertThat(explicitNull.status()).as(explicitNull.body()).isEqualTo(201);
		assertThat(JSON.readTree(explicitNull.body()).get("definition")).isEqualTo(JSON.readTree("{}"));

		assertThat(names(this.api.get(DASHBOARDS + "?page=0&size=2", t))).containsExactly("usage", "bare");
		assertThat(names(this.api.get(DASHBOARDS + "?page=1&size=2", t))).containsExactly("n".repeat(100));
		assertThat(names(this.api.get(DASHBOARDS + "?page=2&size=2", t))).isEmpty();
		assertThat(names(this.api.get(DASHBOARDS + "?page=2147483647&size=200", t))).isEmpty();
		Response listed = this.api.get(DASHBOARDS + "?size=1", t);
		assertThat(JSON.readTree(listed.body()).get("items").get(0).get("definition"))
			.isEqualTo(JSON.readTree(definition));
	}

	@Test
	void systemAdminMaySelectATenantByHeader() {
		UUID a = provision(Tier.SHARED);
		this.api.post(DASHBOARDS, token(a, "USER"), "{\"name\":\"visible-to-ops\"}");
		Response r = this.api.get(DASHBOARDS, ServiceTestInfrastructure.systemAdminToken(), "X-Tenant-Id",
				a.toString());
		assertThat(r.status()).isEqualTo(200);
		assertThat(names(r)).containsExactly("visible-to-ops");
		// Without a header a system admin acts for no tenant.
		assertProblem(this.api.get(DASHBOARDS, ServiceTestInfrastructure.systemAdminToken()), 403);
	}

	@Test
	void publishesItsOpenApiDescription() {
		Response docs = this.api.get("/v3/api-docs", null);
		assertThat(docs.status()).isEqualTo(200);
		assertThat(docs.body()).contains(DASHBOARDS);
	}

	@Test
	void malformedInputIsAProblemNeverAServerError() {
		UUID a = provision(Tier.DEDICATED);
		String t = token(a, "USER");
		assertProblem(this.api.post(DASHBOARDS, t, "{not json"), 400);
		assertProblem(this.api.post(DASHBOARDS, t, ""), 400);
		assertProblem(this.api.post(DASHBOARDS, t, "null"), 400);
		assertProblem(this.api.post(DASHBOARDS, t, "[1,2]"), 400);
		assertProblem(this.api.post(DASHBOARDS, t, "{}"), 400);
		assertProblem(this.api.post(DASHBOARDS, t, "{\"name\":\"   \"}"), 400);
		assertProblem(this.api.post(DASHBOARDS, t, "{\"name\":{\"a\":1}}"), 400);
		assertProblem(this.api.post(DASHBOARDS, t, "{\"name\":\"" + "x".repeat(101) + "\"}"), 400);
		for (String definition : List.of("[1,2]", "\"text\"", "42", "true", "{\"a\":\"nul\\u0000\"}",
				"{\"nul\\u0000key\":1}", "{\"a\":[{\"b\":\"\\u0000\"}]}", "{\"a\":1e400}", "{\"a\":-1e400}",
				"{\"a\":\"" + "x".repeat(NEAR_LIMIT) + "\"}", "{\"a\":" + "[".repeat(2000) + "]".repeat(2000) + "}",
				"{\"a\":1")) {
			assertProblem(this.api.post(DASHBOARDS, t, "{\"name\":\"ok\",\"definition\":" + definition + "}"), 400);
		}
		assertProblem(this.api.post(DASHBOARDS, t, "{\"name\":\"nul\\u0000name\"}"), 400);
		assertProblem(this.api.put(DASHBOARDS, t, "{\"name\":\"ok\"}"), 405);
		assertProblem(this.api.get(DASHBOARDS + "/not-a-uuid", t), 400);
		assertProblem(this.api.get(DASHBOARDS + "/" + UUID.randomUUID(), t), 404);
		assertProblem(this.api.delete(DASHBOARDS + "/" + UUID.randomUUID(), t), 405);
		assertProblem(this.api.get(DASHBOARDS + "?page=-1", t), 400);
		assertProblem(this.api.get(DASHBOARDS + "?page=99999999999", t), 400);
		assertProblem(this.api.get(DASHBOARDS + "?size=0", t), 400);
		assertProblem(this.api.get(DASHBOARDS + "?size=201", t), 400);
		assertProblem(this.api.get(DASHBOARDS + "?size=abc", t), 400);
		assertProblem(this.api.get(DASHBOARDS, null), 401);
		assertProblem(this.api.get(DASHBOARDS, "garbage.token.value"), 401);
		assertProblem(this.api.get(DASHBOARDS, t, "X-Tenant-Id", "not-a-uuid"), 400);
		assertProblem(this.api.get(DASHBOARDS, token(UUID.randomUUID(), "USER")), 404);
		assertThat(this.api.post(DASHBOARDS, t, "{\"name\":\"dup\"}").status()).isEqualTo(201);
		assertProblem(this.api.post(DASHBOARDS, t, "{\"name\":\"dup\"}"), 409);
		// The conflict rolled back cleanly: the tenant's next write goes through.
		assertThat(this.api.post(DASHBOARDS, t, "{\"name\":\"after-dup\"}").status()).isEqualTo(201);
	}

	private static void assertProblem(Response response, int status) {
		assertThat(response.status()).as(response.body()).isEqualTo(status);
		assertThat(response.isProblem()).as(response.contentType()).isTrue();
	}

	private static String idOf(Response created) {
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return JSON.readTree(created.body()).get("id").asString();
	}

	private static List<String> names(Response page) {
		assertThat(page.status()).as(page.body()).isEqualTo(200);
		return JSON.readTree(page.body()).get("items").valueStream().map((f) -> f.get("name").asString()).toList();
	}

	private UUID provision(Tier tier) {
		UUID tenant = UUID.randomUUID();
		assertThat(this.provisioner.provision(tenant, tier, "eu").state()).isEqualTo(PlacementState.READY);
		return tenant;
	}

	@ParameterizedTest
	@EnumSource(Tier.class)
	void foldsEveryDomainEventIntoTheTenantsDaysOnce(Tier tier) {
		UUID a = provision(tier);
		UUID b = provision(tier);
		OffsetDateTime monday = OffsetDateTime.parse("2026-03-02T10:00:00Z");
		OffsetDateTime tuesday = OffsetDateTime.parse("2026-03-03T23:30:00-02:00"); // Wednesday
																					// in
																					// UTC
		UUID run = UUID.randomUUID();
		UUID model = UUID.randomUUID();
		publish(Topics.SIMULATION, EventTypes.SIMULATION_STARTED, a, "s1",
				new SimulationStarted(a, run, model, 200_000, 7, "alice", monday));
		String completedId = UUID.randomUUID().toString();
		SimulationCompleted completed = new SimulationCompleted(a, run, model, 200_000, 1_500, 900, "alice", monday);
		publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, a, completedId, completed);
		publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, a, completedId, completed); // redelivered
		publish(Topics.SIMULATION, EventTypes.SIMULATION_FAILED, a, UUID.randomUUID().toString(),
				new SimulationFailed(a, UUID.randomUUID(), model, 5_000, true, "cancelled", "alice", monday));
		publish(Topics.FILE, EventTypes.FILE_UPLOADED, a, UUID.randomUUID().toString(),
				new FileUploaded(a, UUID.randomUUID(), "a.csv", "text/csv", 4_096, "00", "alice", monday));
		publish(Topics.FILE, EventTypes.FILE_DELETED, a, UUID.randomUUID().toString(),
				new FileDeleted(a, UUID.randomUUID(), 1_024, "alice", tuesday));
		publish(Topics.USER, EventTypes.USER_CREATED, a, UUID.randomUUID().toString(),
				new UserCreated(a, UUID.randomUUID(), "bob@example.com", "Bob", "USER"));
		// The neighbour's event, on the same topics.
		publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, b, UUID.randomUUID().toString(),
				new SimulationCompleted(b, UUID.randomUUID(), model, 9, 1, 1, "eve", monday));

		String tokenA = token(a, "USER");
		String range = DAILY + "?from=2026-03-01&to=2026-03-31";
		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
			JsonNode usage = JSON.readTree(this.api.get(range, tokenA).body());
			assertThat(usage.get("total").get("filesDeleted").asLong()).isEqualTo(1);
			assertThat(usage.get("total").get("runsFailed").asLong()).isEqualTo(1);
		});
		JsonNode usage = JSON.readTree(this.api.get(range, tokenA).body());
		JsonNode mon = usage.get("days").get(0);
		assertThat(mon.get("day").asString()).isEqualTo("2026-03-02");
		assertThat(mon.get("runsStarted").asLong()).isEqualTo(1);
		assertThat(mon.get("runsCompleted").asLong()).isEqualTo(1);
		assertThat(mon.get("iterations").asLong()).isEqualTo(205_000);
		assertThat(mon.get("cpuMillis").asLong()).isEqualTo(1_500);
		assertThat(mon.get("bytesUploaded").asLong()).isEqualTo(4_096);
		// Days are UTC days: 23:30 at -02:00 on Tuesday is Wednesday.
		assertThat(usage.get("days").get(1).get("day").asString()).isEqualTo("2026-03-04");
		assertThat(usage.get("days").get(1).get("bytesDeleted").asLong()).isEqualTo(1_024);
		assertThat(usage.get("total").get("runsCompleted").asLong()).isEqualTo(1);
		// user.created carries no time of its own: it counts on the day it was emitted.
		String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(
					JSON.readTree(this.api.get(DAILY + "?from=" + today + "&to=" + today, tokenA).body())
						.get("total")
						.get("usersCreated")
						.asLong())
				.isEqualTo(1));

		// B sees only its own day, never A's.
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(
					JSON.readTree(this.api.get(range, token(b, "USER")).body()).get("total").get("iterations").asLong())
				.isEqualTo(9));

		// A system admin sees both in the overview; a tenant user may not look.
		JsonNode overview = JSON.readTree(
				this.api
					.get("/api/v1/analytics/overview?from=2026-03-01&to=2026-03-31",
							ServiceTestInfrastructure.systemAdminToken())
					.body());
		assertThat(overview.get("tenants").findValuesAsString("tenantId")).contains(a.toString(), b.toString());
		assertProblem(this.api.get("/api/v1/analytics/overview?from=2026-03-01&to=2026-03-31", tokenA), 403);

		// A suspended tenant is listed as such, not read, and not taken for a broken
		// store.
		TestEvents.publish(Topics.TENANT, EventTypes.TENANT_SUSPENDED, b, UUID.randomUUID().toString(),
				new TenantStatusChanged(b, "SUSPENDED"));
		await().atMost(Duration.ofSeconds(30)).until(() -> this.provisioner.find(b).orElseThrow().suspended());
		JsonNode withSuspended = JSON.readTree(
				this.api
					.get("/api/v1/analytics/overview?from=2026-03-01&to=2026-03-31",
							ServiceTestInfrastructure.systemAdminToken())
					.body());
		assertThat(withSuspended.get("suspended").valueStream().map(JsonNode::asString)).contains(b.toString());
		assertThat(withSuspended.get("unreadable").valueStream().map(JsonNode::asString)).doesNotContain(b.toString());
		assertThat(withSuspended.get("tenants").findValuesAsString("tenantId")).contains(a.toString())
			.doesNotContain(b.toString());
	}

	@Test
	void refusesAUsageEventWhoseDataNamesAnotherTenant() {
		UUID a = provision(Tier.SHARED);
		UUID b = provision(Tier.SHARED);
		OffsetDateTime at = OffsetDateTime.parse("2026-04-06T10:00:00Z");
		String range = DAILY + "?from=2026-04-01&to=2026-04-30";
		double refusedBefore = refused();
		try (TestEvents.Reader dead = TestEvents.read(Topics.deadLetter("analytics"))) {
			// Recorded for A, its data claiming B: on two topics of the binding.
			String forged = UUID.randomUUID().toString();
			publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, a, forged,
					new SimulationCompleted(b, UUID.randomUUID(), UUID.randomUUID(), 7, 70, 1, "mallory", at));
			String forgedUpload = UUID.randomUUID().toString();
			publish(Topics.FILE, EventTypes.FILE_UPLOADED, a, forgedUpload,
					new FileUploaded(b, UUID.randomUUID(), "b.csv", "text/csv", 512, "00", "mallory", at));
			// Right after, on the same partitions (keyed by A): A's own events count.
			publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, a, UUID.randomUUID().toString(),
					new SimulationCompleted(a, UUID.randomUUID(), UUID.randomUUID(), 3, 30, 1, "alice", at));
			publish(Topics.FILE, EventTypes.FILE_UPLOADED, a, UUID.randomUUID().toString(),
					new FileUploaded(a, UUID.randomUUID(), "a.csv", "text/csv", 64, "00", "alice", at));

			String tokenA = token(a, "USER");
			await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
				JsonNode total = JSON.readTree(this.api.get(range, tokenA).body()).get("total");
				assertThat(total.get("iterations").asLong()).isEqualTo(3);
				assertThat(total.get("bytesUploaded").asLong()).isEqualTo(64);
			});
			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(
						() -> assertThat(dead.poll()).extracting((e) -> e.getId()).contains(forged, forgedUpload));
		}
		assertThat(refused() - refusedBefore).isEqualTo(2);
		// Nothing of the forged events was counted, for A or for B.
		JsonNode totalA = JSON.readTree(this.api.get(range, token(a, "USER")).body()).get("total");
		assertThat(totalA.get("runsCompleted").asLong()).isEqualTo(1);
		assertThat(totalA.get("cpuMillis").asLong()).isEqualTo(30);
		assertThat(totalA.get("filesUploaded").asLong()).isEqualTo(1);
		JsonNode totalB = JSON.readTree(this.api.get(range, token(b, "USER")).body()).get("total");
		assertThat(totalB.get("iterations").asLong()).isZero();
		assertThat(totalB.get("bytesUploaded").asLong()).isZero();
	}

	private double refused() {
		return this.meters.get(ForeignTenantEvents.METER)
			.tag("reason", "tenant_mismatch")
			.tag("consumer", "analytics.usage")
			.counter()
			.count();
	}

	@Test
	void badRangesAreProblemsNotErrors() {
		String t = token(provision(Tier.SHARED), "USER");
		assertProblem(this.api.get(DAILY + "?from=2026-03-31&to=2026-03-01", t), 400);
		assertProblem(this.api.get(DAILY + "?from=2025-01-01&to=2026-03-01", t), 400);
		assertProblem(this.api.get(DAILY + "?from=yesterday&to=2026-03-01", t), 400);
		assertProblem(this.api.get(DAILY + "?from=2026-03-01", t), 400);
		assertProblem(this.api.get(DAILY + "?from=2026-02-30&to=2026-03-01", t), 400);
	}

	private static void publish(String topic, String type, UUID tenant, String id, Object data) {
		TestEvents.publish(topic, type, tenant, id, data);
	}

}
