package io.tierflow.tenant;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.simulation.SimulationCompleted;
import io.tierflow.events.simulation.SimulationFailed;
import io.tierflow.events.tenant.MovePhase;
import io.tierflow.events.tenant.TenantErased;
import io.tierflow.events.tenant.TenantExportProgress;
import io.tierflow.events.tenant.TenantExported;
import io.tierflow.events.tenant.TenantImported;
import io.tierflow.events.tenant.TenantMigrated;
import io.tierflow.events.tenant.TenantMoveProgress;
import io.tierflow.events.tenant.TenantProvisioned;
import io.tierflow.events.tenant.UserCreated;
import io.tierflow.events.tenant.UserDeleted;
import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.ApiClient.Response;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.TestEvents;
import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.security.TokenIssuer;
import io.tierflow.tenant.tenant.Plan;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

// The grace period is long: tests that need it over move the tenant's erase_after back, as
// time would.
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "tierflow.tokens.dev-issuer=true", "spring.profiles.active=dev",
				"tierflow.tenants.erase-grace=1h", "tierflow.tenants.erase-check=200ms",
				"tierflow.tenants.max-import-size=1MB" })
class TenantServiceIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final List<String> SERVICES = List.of("simulation", "file", "billing", "analytics");

	/** For PATCH, which the shared test client does not send. */
	private static final HttpClient HTTP = HttpClient.newHttpClient();

	/**
	 * The archive directory tenant-service shares with the (faked) tenant-data services.
	 */
	private static final Path ARCHIVES = temporaryDirectory("tierflow-archives-it");

	/** Beyond a long: the checksum is an exact sum, carried as a decimal. */
	private static final BigDecimal CHECKSUM_SUM = new BigDecimal("170141183460469231731687303715884105727");

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		PostgresServer pg = TestPostgres.get();
		pg.dropDatabase("tenantit");
		pg.createDatabase("tenantit");
		registry.add("spring.datasource.url", () -> pg.jdbcUrl("tenantit"));
		registry.add("spring.datasource.username", pg::adminUser);
		registry.add("spring.datasource.password", pg::adminPassword);
		ServiceTestInfrastructure.kafka(registry);
		registry.add("tierflow.tenants.archives", ARCHIVES::toString);
	}

	@AfterAll
	static void removeArchives() throws IOException {
		try (Stream<Path> files = Files.walk(ARCHIVES)) {
			files.sorted(java.util.Comparator.reverseOrder()).forEach((f) -> f.toFile().delete());
		}
	}

	private static Path temporaryDirectory(String prefix) {
		try {
			return Files.createTempDirectory(prefix);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@LocalServerPort
	int port;

	@Autowired
	TokenIssuer tokens;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	MeterRegistry meters;

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
		assertProblem(this.api.delete("/api/v1/tenants/" + id, this.admin), 409);
		assertProblem(this.api.delete("/api/v1/tenants/" + id + "?immediate=true", this.admin), 409);
		assertThat(status(id)).isEqualTo("ACTIVE");
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
	void operatorsSearchAndFilterTenantsByNameSlugStatusTierAndRegion() throws Exception {
		String mark = "srch" + UUID.randomUUID().toString().substring(0, 6);
		UUID trial = created(this.api.post("/api/v1/tenants", this.admin, "{\"name\":\"Acme " + mark
				+ " 50%_off\",\"slug\":\"" + mark + "-acme\",\"plan\":\"TRIAL\"," + "\"region\":\"eu\"}"));
		UUID pro = created(this.api.post("/api/v1/tenants", this.admin, "{\"name\":\"Globex\",\"slug\":\"" + mark
				+ "-globex\",\"plan\":\"PROFESSIONAL\"," + "\"region\":\"us\"}"));

		assertThat(ids("q=" + mark)).containsExactly(trial, pro);
		// The name anywhere, case-insensitive; the slug from its start only.
		assertThat(ids("q=ACME%20" + mark.toUpperCase())).containsExactly(trial);
		assertThat(ids("q=acme")).contains(trial).doesNotContain(pro);
		assertThat(ids("q=" + mark + "-glo")).containsExactly(pro);
		assertThat(ids("q=" + mark + "&tier=DEDICATED")).containsExactly(pro);
		assertThat(ids("q=" + mark + "&region=eu")).containsExactly(trial);
		assertThat(ids("q=" + mark + "&status=ACTIVE&tier=SHARED")).isEmpty();
		assertThat(ids("q=" + mark + "&status="
				+ JSON.readTree(this.api.get("/api/v1/tenants/" + trial, this.admin).body()).get("status").asString()
				+ "&tier=SHARED"))
			.containsExactly(trial);
		// LIKE's wildcards in the text match themselves only.
		assertThat(ids("q=50%25_off")).containsExactly(trial);
		assertThat(ids("q=" + mark + "%25")).isEmpty();
		assertThat(ids("q=%25")).doesNotContain(pro);

		assertProblem(this.api.get("/api/v1/tenants?status=HAPPY", this.admin), 400);
		assertProblem(this.api.get("/api/v1/tenants?tier=GOLD", this.admin), 400);
		assertProblem(this.api.get("/api/v1/tenants?region=EU%20WEST", this.admin), 400);
		assertProblem(this.api.get("/api/v1/tenants?q=" + "x".repeat(101), this.admin), 400);
		String tenantAdmin = this.tokens.issue("admin", trial, List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		assertProblem(this.api.get("/api/v1/tenants?q=" + mark, tenantAdmin), 403);
	}

	private List<UUID> ids(String query) {
		Response page = this.api.get("/api/v1/tenants?size=200&" + query, this.admin);
		assertThat(page.status()).as(page.body()).isEqualTo(200);
		List<UUID> ids = new ArrayList<>();
		JSON.readTree(page.body()).get("items").forEach((t) -> ids.add(UUID.fromString(t.get("id").asString())));
		return ids;
	}

	private static UUID created(Response response) {
		assertThat(response.status()).as(response.body()).isEqualTo(201);
		return UUID.fromString(JSON.readTree(response.body()).get("id").asString());
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

	@Test
	void aTierChangeMovesEveryServiceAndCompletes() {
		UUID id = activeTenant("mover");
		try (TestEvents.Reader tenantEvents = TestEvents.read(Topics.TENANT)) {
			Response requested = this.api.post("/api/v1/tenants/" + id + "/tier-change", this.admin,
					"{\"plan\":\"ENTERPRISE\"}");
			assertThat(requested.status()).as(requested.body()).isEqualTo(202);
			JsonNode pending = JSON.readTree(requested.body()).get("pendingTierChange");
			assertThat(pending.get("kind").asString()).isEqualTo("TIER_CHANGE");
			assertThat(pending.get("status").asString()).isEqualTo("REQUESTED");
			assertThat(pending.get("moves").valueStream().map((m) -> m.get("status").asString()))
				.containsExactly("PENDING", "PENDING", "PENDING", "PENDING");
			UUID change = UUID.fromString(pending.get("id").asString());

			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(
						() -> assertThat(tenantEvents.data(EventTypes.TENANT_TIER_CHANGE_REQUESTED, id)).hasSize(1));
			JsonNode request = tenantEvents.data(EventTypes.TENANT_TIER_CHANGE_REQUESTED, id).get(0);
			assertThat(request.get("changeId").asString()).isEqualTo(change.toString());
			assertThat(request.get("fromTier").asString()).isEqualTo("SHARED");
			assertThat(request.get("toTier").asString()).isEqualTo("ENTERPRISE");
			assertThat(request.get("rebalance").asBoolean()).isFalse();
			assertThat(request.get("rollback").asBoolean()).isFalse();
			assertThat(strings(request.get("services"))).isEqualTo(SERVICES);

			progress(id, change, "file", MovePhase.STREAMING, 5400, 42L);
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
				JsonNode file = move(tenant(id).get("pendingTierChange"), "file", false);
				assertThat(file.get("status").asString()).isEqualTo("RUNNING");
				assertThat(MovePhase.valueOf(file.get("phase").asString())).isEqualTo(MovePhase.STREAMING);
				assertThat(file.get("changesApplied").asLong()).isEqualTo(5400);
				assertThat(file.get("lagMs").asLong()).isEqualTo(42);
			});

			for (String service : SERVICES) {
				migrated(id, change, service, false, Tier.ENTERPRISE, null);
			}
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(tenant(id).get("pendingTierChange").isNull()).isTrue());
			JsonNode moved = tenant(id);
			assertThat(moved.get("plan").asString()).isEqualTo("ENTERPRISE");
			assertThat(moved.get("tier").asString()).isEqualTo("ENTERPRISE");
			for (JsonNode placement : moved.get("placements")) {
				assertThat(placement.get("state").asString()).isEqualTo("READY");
				assertThat(placement.get("tier").asString()).isEqualTo("ENTERPRISE");
				assertThat(placement.get("isolation").asString()).isEqualTo("DATABASE");
				assertThat(placement.get("cluster").asString()).isEqualTo("enterprise-eu");
			}
			JsonNode record = tierChanges(id).get(0);
			assertThat(record.get("status").asString()).isEqualTo("COMPLETED");
			assertThat(record.get("finishedAt").isNull()).isFalse();
			for (JsonNode move : record.get("moves")) {
				assertThat(move.get("status").asString()).isEqualTo("SUCCEEDED");
				assertThat(move.get("fencedMs").asLong()).isEqualTo(31);
				assertThat(move.get("checksums").get("runs").get("rows").asLong()).isEqualTo(1000);
			}

			// The last reply again, then a one-service rebalance behind it on the same
			// partition: once the rebalance's tier_changed is out, the redelivery has
			// been
			// handled, and it must have emitted nothing.
			migrated(id, change, "analytics", false, Tier.ENTERPRISE, null);
			Response rebalance = this.api.post("/api/v1/tenants/" + id + "/rebalance", this.admin,
					"{\"services\":[\"file\"]}");
			assertThat(rebalance.status()).as(rebalance.body()).isEqualTo(202);
			UUID rebalanceId = UUID
				.fromString(JSON.readTree(rebalance.body()).get("pendingTierChange").get("id").asString());
			migrated(id, rebalanceId, "file", false, Tier.ENTERPRISE, null);
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(tenantEvents.data(EventTypes.TENANT_TIER_CHANGED, id)
					.stream()
					.map((e) -> e.get("changeId").asString())).contains(rebalanceId.toString()));
			List<JsonNode> changed = tenantEvents.data(EventTypes.TENANT_TIER_CHANGED, id);
			assertThat(changed).extracting((e) -> e.get("changeId").asString())
				.containsExactly(change.toString(), rebalanceId.toString());
			assertThat(changed.get(0).get("toPlan").asString()).isEqualTo("ENTERPRISE");
			assertThat(changed.get(0).get("rebalance").asBoolean()).isFalse();
			assertThat(changed.get(0).get("reason").isNull()).isTrue();
			assertThat(changed.get(1).get("rebalance").asBoolean()).isTrue();
			assertThat(tenant(id).get("plan").asString()).isEqualTo("ENTERPRISE");
		}
	}

	@Test
	void aFailedServiceRollsBackTheServicesThatMoved() {
		UUID id = activeTenant("rollback");
		try (TestEvents.Reader tenantEvents = TestEvents.read(Topics.TENANT)) {
			UUID change = requestTierChange(id, "PROFESSIONAL");
			for (String service : SERVICES) {
				migrated(id, change, service, false, Tier.DEDICATED,
						service.equals("analytics") ? "No DEDICATED cluster in region 'eu'" : null);
			}

			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(tenantEvents.data(EventTypes.TENANT_TIER_CHANGE_ROLLBACK_REQUESTED, id))
					.hasSize(1));
			JsonNode rollback = tenantEvents.data(EventTypes.TENANT_TIER_CHANGE_ROLLBACK_REQUESTED, id).get(0);
			assertThat(rollback.get("changeId").asString()).isEqualTo(change.toString());
			assertThat(strings(rollback.get("services"))).containsExactly("simulation", "file", "billing");
			assertThat(rollback.get("rollback").asBoolean()).isTrue();
			assertThat(rollback.get("rebalance").asBoolean()).isFalse();
			assertThat(rollback.get("fromTier").asString()).isEqualTo("DEDICATED");
			assertThat(rollback.get("toTier").asString()).isEqualTo("SHARED");
			assertThat(rollback.get("toPlan").asString()).isEqualTo("STANDARD");
			JsonNode rollingBack = tenant(id).get("pendingTierChange");
			assertThat(rollingBack.get("status").asString()).isEqualTo("ROLLING_BACK");
			assertThat(rollingBack.get("moves")).hasSize(7);
			assertThat(move(rollingBack, "billing", true).get("status").asString()).isEqualTo("PENDING");

			for (String service : List.of("simulation", "file", "billing")) {
				migrated(id, change, service, true, Tier.SHARED, null);
			}
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(tenant(id).get("pendingTierChange").isNull()).isTrue());
			JsonNode back = tenant(id);
			assertThat(back.get("plan").asString()).isEqualTo("STANDARD");
			assertThat(back.get("tier").asString()).isEqualTo("SHARED");
			for (JsonNode placement : back.get("placements")) {
				if (!placement.get("service").asString().equals("analytics")) {
					assertThat(placement.get("tier").asString()).isEqualTo("SHARED");
					assertThat(placement.get("isolation").asString()).isEqualTo("ROW");
				}
			}

			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(
						() -> assertThat(tenantEvents.data(EventTypes.TENANT_TIER_CHANGE_FAILED, id)).hasSize(1));
			JsonNode failed = tenantEvents.data(EventTypes.TENANT_TIER_CHANGE_FAILED, id).get(0);
			assertThat(failed.get("changeId").asString()).isEqualTo(change.toString());
			assertThat(failed.get("fromPlan").asString()).isEqualTo("STANDARD");
			assertThat(failed.get("toPlan").asString()).isEqualTo("PROFESSIONAL");
			assertThat(failed.get("reason").asString()).isEqualTo("analytics: No DEDICATED cluster in region 'eu'");
			assertThat(tenantEvents.data(EventTypes.TENANT_TIER_CHANGED, id)).isEmpty();

			JsonNode record = tierChanges(id).get(0);
			assertThat(record.get("status").asString()).isEqualTo("ROLLED_BACK");
			assertThat(record.get("reason").asString()).contains("analytics").contains("region 'eu'");
			assertThat(record.get("moves")).hasSize(7);
			JsonNode analytics = move(record, "analytics", false);
			assertThat(analytics.get("status").asString()).isEqualTo("FAILED");
			assertThat(analytics.get("reason").asString()).contains("region 'eu'");
			JsonNode file = move(record, "file", false);
			assertThat(file.get("status").asString()).isEqualTo("SUCCEEDED");
			assertThat(file.get("tier").asString()).isEqualTo("DEDICATED");
			assertThat(file.get("fencedMs").asLong()).isEqualTo(31);
			assertThat(file.get("checksums").get("runs").get("sum").decimalValue()).isEqualByComparingTo(CHECKSUM_SUM);
			assertThat(move(record, "file", true).get("tier").asString()).isEqualTo("SHARED");
		}
	}

	@Test
	void rebalanceMovesTheChosenServicesWithinTheTier() {
		UUID id = activeTenant("rebalance");
		Response unknown = this.api.post("/api/v1/tenants/" + id + "/rebalance", this.admin,
				"{\"services\":[\"file\",\"ledger\"]}");
		assertProblem(unknown, 400);
		assertThat(unknown.body()).contains("ledger");
		assertProblem(this.api.post("/api/v1/tenants/" + id + "/rebalance", this.admin, "{\"services\":[]}"), 400);
		assertProblem(this.api.post("/api/v1/tenants/" + UUID.randomUUID() + "/rebalance", this.admin, ""), 404);

		try (TestEvents.Reader tenantEvents = TestEvents.read(Topics.TENANT)) {
			Response accepted = this.api.post("/api/v1/tenants/" + id + "/rebalance", this.admin,
					"{\"services\":[\"billing\",\"file\"]}");
			assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
			JsonNode tenant = JSON.readTree(accepted.body());
			assertThat(tenant.get("plan").asString()).isEqualTo("STANDARD");
			JsonNode pending = tenant.get("pendingTierChange");
			assertThat(pending.get("kind").asString()).isEqualTo("REBALANCE");
			assertThat(pending.get("fromPlan").asString()).isEqualTo("STANDARD");
			assertThat(pending.get("toPlan").asString()).isEqualTo("STANDARD");
			assertThat(strings(pending.get("services"))).containsExactly("file", "billing");
			assertThat(pending.get("moves").valueStream().map((m) -> m.get("service").asString()))
				.containsExactly("billing", "file");

			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(
						() -> assertThat(tenantEvents.data(EventTypes.TENANT_TIER_CHANGE_REQUESTED, id)).hasSize(1));
			JsonNode request = tenantEvents.data(EventTypes.TENANT_TIER_CHANGE_REQUESTED, id).get(0);
			assertThat(request.get("rebalance").asBoolean()).isTrue();
			assertThat(request.get("rollback").asBoolean()).isFalse();
			assertThat(strings(request.get("services"))).containsExactly("file", "billing");
			assertThat(request.get("fromTier").asString()).isEqualTo("SHARED");
			assertThat(request.get("toTier").asString()).isEqualTo("SHARED");
		}
		assertProblem(this.api.post("/api/v1/tenants/" + id + "/rebalance", this.admin, ""), 409);
		assertProblem(this.api.post("/api/v1/tenants/" + id + "/tier-change", this.admin, "{\"plan\":\"ENTERPRISE\"}"),
				409);
	}

	@Test
	void aPlanOfTheSameTierChangesAtOnce() {
		UUID id = activeTenant("same-tier");
		try (TestEvents.Reader tenantEvents = TestEvents.read(Topics.TENANT)) {
			Response changed = this.api.post("/api/v1/tenants/" + id + "/tier-change", this.admin,
					"{\"plan\":\"TRIAL\"}");
			assertThat(changed.status()).as(changed.body()).isEqualTo(200);
			JsonNode tenant = JSON.readTree(changed.body());
			assertThat(tenant.get("plan").asString()).isEqualTo("TRIAL");
			assertThat(tenant.get("tier").asString()).isEqualTo("SHARED");
			assertThat(tenant.get("pendingTierChange").isNull()).isTrue();

			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(tenantEvents.data(EventTypes.TENANT_TIER_CHANGED, id)).hasSize(1));
			JsonNode event = tenantEvents.data(EventTypes.TENANT_TIER_CHANGED, id).get(0);
			assertThat(event.get("fromPlan").asString()).isEqualTo("STANDARD");
			assertThat(event.get("toPlan").asString()).isEqualTo("TRIAL");
			assertThat(event.get("toTier").asString()).isEqualTo("SHARED");
			assertThat(event.get("rebalance").asBoolean()).isFalse();
			assertThat(tenantEvents.data(EventTypes.TENANT_TIER_CHANGE_REQUESTED, id)).isEmpty();
		}
		JsonNode record = tierChanges(id).get(0);
		assertThat(record.get("status").asString()).isEqualTo("COMPLETED");
		assertThat(record.get("moves")).isEmpty();
		String user = this.tokens.issue("dave", id, List.of("USER"), Duration.ofMinutes(5));
		assertThat(this.api.get("/api/v1/tenants/" + id + "/tier-changes", user).status()).isEqualTo(200);
		String stranger = this.tokens.issue("eve", UUID.randomUUID(), List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		assertProblem(this.api.get("/api/v1/tenants/" + id + "/tier-changes", stranger), 404);
	}

	@Test
	void aRollbackThatFailsLeavesTheChangeForAnOperator() {
		UUID id = activeTenant("split");
		try (TestEvents.Reader tenantEvents = TestEvents.read(Topics.TENANT)) {
			UUID change = requestTierChange(id, "PROFESSIONAL");
			for (String service : SERVICES) {
				migrated(id, change, service, false, Tier.DEDICATED,
						service.equals("file") ? null : "Catch-up deadline passed");
			}
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(tenantEvents.data(EventTypes.TENANT_TIER_CHANGE_ROLLBACK_REQUESTED, id))
					.hasSize(1));
			assertThat(strings(
					tenantEvents.data(EventTypes.TENANT_TIER_CHANGE_ROLLBACK_REQUESTED, id).get(0).get("services")))
				.containsExactly("file");
			migrated(id, change, "file", true, Tier.SHARED, "Source cluster unreachable");

			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(
						() -> assertThat(tenantEvents.data(EventTypes.TENANT_TIER_CHANGE_FAILED, id)).hasSize(1));
			String reason = tenantEvents.data(EventTypes.TENANT_TIER_CHANGE_FAILED, id).get(0).get("reason").asString();
			assertThat(reason).contains("billing: Catch-up deadline passed").contains("Source cluster unreachable");
			JsonNode record = tierChanges(id).get(0);
			assertThat(record.get("status").asString()).isEqualTo("ROLLBACK_FAILED");
			assertThat(record.get("reason").asString()).isEqualTo(reason);
			JsonNode tenant = tenant(id);
			assertThat(tenant.get("plan").asString()).isEqualTo("STANDARD");
			assertThat(tenant.get("pendingTierChange").isNull()).isTrue();
		}
	}

	@Test
	void aChangeWhereNoServiceMovedFailsWithoutARollback() {
		UUID id = activeTenant("stuck");
		try (TestEvents.Reader tenantEvents = TestEvents.read(Topics.TENANT)) {
			UUID change = requestTierChange(id, "ENTERPRISE");
			for (String service : SERVICES) {
				migrated(id, change, service, false, Tier.ENTERPRISE, "No ENTERPRISE cluster in region 'eu'");
			}
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(
						() -> assertThat(tenantEvents.data(EventTypes.TENANT_TIER_CHANGE_FAILED, id)).hasSize(1));
			assertThat(tenantEvents.data(EventTypes.TENANT_TIER_CHANGE_ROLLBACK_REQUESTED, id)).isEmpty();
			assertThat(tierChanges(id).get(0).get("status").asString()).isEqualTo("ROLLED_BACK");
			assertThat(tenant(id).get("plan").asString()).isEqualTo("STANDARD");
		}
	}

	@Test
	void anUnreadableMoveReplyGoesToTheDeadLetterTopic() {
		UUID id = activeTenant("garbled");
		try (TestEvents.Reader dead = TestEvents.read(Topics.deadLetter("tenant"))) {
			TestEvents.publish(Topics.TENANT_REPLIES, EventTypes.TENANT_MIGRATED, id, "garbled-" + id,
					"not a migration result");
			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThat(dead.data(EventTypes.TENANT_MIGRATED, id)).hasSize(1));
		}
		assertThat(status(id)).isEqualTo("ACTIVE");
	}

	@Test
	void aMoveProgressWithAnUnknownPhaseGoesToTheDeadLetterTopic() {
		UUID id = activeTenant("phased");
		UUID change = UUID.randomUUID();
		// A newer mover's phase this service does not know: unreadable, not retried.
		Map<String, Object> progress = Map.of("tenantId", id, "changeId", change, "rollback", false, "service", "file",
				"moveId", moveId(change, "file", false), "phase", "TELEPORTING", "changesApplied", 10, "lagMs", 5);
		try (TestEvents.Reader dead = TestEvents.read(Topics.deadLetter("tenant"))) {
			TestEvents.publish(Topics.TENANT_REPLIES, EventTypes.TENANT_MOVE_PROGRESS, id, "phased-" + id, progress);
			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThat(dead.data(EventTypes.TENANT_MOVE_PROGRESS, id)).hasSize(1));
		}
		assertThat(status(id)).isEqualTo("ACTIVE");
	}

	@Test
	void usersAreWelcomedAndToldWhenTheirSimulationsEndOnce() {
		UUID tenant = activeTenant("notified");
		UUID alice = UUID.randomUUID();
		String userEvent = UUID.randomUUID().toString();
		UserCreated created = new UserCreated(tenant, alice, "alice@example.com", "Alice", "USER");
		TestEvents.publish(Topics.USER, EventTypes.USER_CREATED, tenant, userEvent, created);
		TestEvents.publish(Topics.USER, EventTypes.USER_CREATED, tenant, userEvent, created); // redelivered
		OffsetDateTime now = OffsetDateTime.now();
		TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, tenant, UUID.randomUUID().toString(),
				new SimulationCompleted(tenant, UUID.randomUUID(), UUID.randomUUID(), 1_000_000, 800, 500,
						alice.toString(), now));
		TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_FAILED, tenant, UUID.randomUUID().toString(),
				new SimulationFailed(tenant, UUID.randomUUID(), UUID.randomUUID(), 10, true, "cancelled",
						alice.toString(), now)); // cancelled by her: nothing to tell
		TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_FAILED, tenant, UUID.randomUUID().toString(),
				new SimulationFailed(tenant, UUID.randomUUID(), UUID.randomUUID(), 10, false, "lost", alice.toString(),
						now));

		String aliceToken = this.tokens.issue(alice.toString(), tenant, List.of("USER"), Duration.ofMinutes(5));
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(
					JSON.readTree(this.api.get("/api/v1/notifications", aliceToken).body()).get("items").size())
				.isEqualTo(3));
		JsonNode items = JSON.readTree(this.api.get("/api/v1/notifications", aliceToken).body()).get("items");
		assertThat(items.findValuesAsString("kind")).containsExactlyInAnyOrder("WELCOME", "SIMULATION_COMPLETED",
				"SIMULATION_FAILED");
		assertThat(items.findValuesAsString("body")).anyMatch((b) -> b.contains("1,000,000 iterations"));

		// Someone else in the tenant, or Alice's subject in another tenant, sees none of
		// it.
		String bob = this.tokens.issue("bob", tenant, List.of("USER"), Duration.ofMinutes(5));
		assertThat(JSON.readTree(this.api.get("/api/v1/notifications", bob).body()).get("items").size()).isZero();
		String elsewhere = this.tokens.issue(alice.toString(), activeTenant("other"), List.of("USER"),
				Duration.ofMinutes(5));
		assertThat(JSON.readTree(this.api.get("/api/v1/notifications", elsewhere).body()).get("items").size()).isZero();
		String id = items.get(0).get("id").asString();
		assertProblem(this.api.post("/api/v1/notifications/" + id + "/read", bob, ""), 404);
		assertThat(this.api.post("/api/v1/notifications/" + id + "/read", aliceToken, "").status()).isEqualTo(204);
		for (JsonNode item : JSON.readTree(this.api.get("/api/v1/notifications", aliceToken).body()).get("items")) {
			assertThat(item.get("readAt").isNull()).as(item.toString())
				.isEqualTo(!item.get("id").asString().equals(id));
		}
		assertProblem(this.api.post("/api/v1/notifications/not-a-uuid/read", aliceToken, ""), 400);
	}

	@Test
	void aDeletedTenantIsRefusedDuringItsGracePeriodAndCanBeRestored() {
		UUID id = activeTenant("regretful");
		String user = this.tokens.issue("gina", id, List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		assertThat(this.api.get("/api/v1/tenants/" + id, user).status()).isEqualTo(200);
		assertProblem(this.api.get("/api/v1/tenants/" + id + "/erasure", this.admin), 404);
		try (TestEvents.Reader tenantEvents = TestEvents.read(Topics.TENANT)) {
			Response deleted = this.api.delete("/api/v1/tenants/" + id, this.admin);
			assertThat(deleted.status()).as(deleted.body()).isEqualTo(202);
			JsonNode tenant = JSON.readTree(deleted.body());
			assertThat(tenant.get("status").asString()).isEqualTo("PENDING_ERASE");
			OffsetDateTime requestedAt = OffsetDateTime.parse(tenant.get("deleteRequestedAt").asString());
			OffsetDateTime eraseAfter = OffsetDateTime.parse(tenant.get("eraseAfter").asString());
			assertThat(Duration.between(requestedAt, eraseAfter)).isEqualTo(Duration.ofHours(1));
			assertThat(tenant.get("erasedAt").isNull()).isTrue();
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(tenantEvents.data(EventTypes.TENANT_DELETED, id)).hasSize(1));
			assertThat(tenantEvents.data(EventTypes.TENANT_DELETED, id).get(0).get("status").asString())
				.isEqualTo("PENDING_ERASE");

			assertProblem(this.api.delete("/api/v1/tenants/" + id, this.admin), 409);
			Response refused = this.api.get("/api/v1/tenants/" + id, user);
			assertProblem(refused, 403);
			assertThat(JSON.readTree(refused.body()).get("title").asString()).isEqualTo("Tenant deleted");
			assertProblem(this.api.get("/api/v1/notifications", user), 403);
			assertProblem(this.api.post("/api/v1/tenants/" + id + "/users", this.admin, newUser("hal")), 409);
			assertProblem(
					this.api.post("/api/v1/tenants/" + id + "/tier-change", this.admin, "{\"plan\":\"ENTERPRISE\"}"),
					409);
			JsonNode certificate = JSON.readTree(this.api.get("/api/v1/tenants/" + id + "/erasure", this.admin).body());
			assertThat(certificate.get("status").asString()).isEqualTo("PENDING_ERASE");
			assertThat(certificate.get("services").findValuesAsString("state")).containsOnly("READY");

			Response restored = this.api.post("/api/v1/tenants/" + id + "/restore-deletion", this.admin, "");
			assertThat(restored.status()).as(restored.body()).isEqualTo(200);
			JsonNode back = JSON.readTree(restored.body());
			assertThat(back.get("status").asString()).isEqualTo("ACTIVE");
			assertThat(back.get("deleteRequestedAt").isNull()).isTrue();
			assertThat(back.get("eraseAfter").isNull()).isTrue();
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(tenantEvents.data(EventTypes.TENANT_REACTIVATED, id)).hasSize(1));
			assertThat(tenantEvents.data(EventTypes.TENANT_REACTIVATED, id).get(0).get("status").asString())
				.isEqualTo("ACTIVE");
			assertThat(tenantEvents.data(EventTypes.TENANT_ERASE_REQUESTED, id)).isEmpty();
		}
		assertThat(this.api.get("/api/v1/tenants/" + id, user).status()).isEqualTo(200);
		assertThat(this.api.post("/api/v1/tenants/" + id + "/users", user, newUser("hal")).status()).isEqualTo(201);
		assertProblem(this.api.post("/api/v1/tenants/" + id + "/restore-deletion", this.admin, ""), 409);
		assertProblem(this.api.get("/api/v1/tenants/" + id + "/erasure", this.admin), 404);
		String tenantAdmin = this.tokens.issue("gina", id, List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		assertProblem(this.api.post("/api/v1/tenants/" + id + "/restore-deletion", tenantAdmin, ""), 403);
		assertProblem(this.api.delete("/api/v1/tenants/" + id, tenantAdmin), 403);
	}

	@Test
	void onlyAnActiveSuspendedOrFailedTenantCanBeDeleted() {
		UUID provisioning = UUID.fromString(create("unready-" + shortId(), "STANDARD").get("id").asString());
		assertProblem(this.api.delete("/api/v1/tenants/" + provisioning, this.admin), 409);
		UUID failed = UUID.fromString(create("failing-" + shortId(), "STANDARD").get("id").asString());
		reply(failed, "file", TenantProvisioned.FAILED, "No SHARED cluster in region 'eu'");
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(status(failed)).isEqualTo("FAILED"));
		assertThat(this.api.delete("/api/v1/tenants/" + failed, this.admin).status()).isEqualTo(202);
		UUID suspended = activeTenant("suspended");
		assertThat(this.api.post("/api/v1/tenants/" + suspended + "/suspend", this.admin, "{}").status())
			.isEqualTo(200);
		assertThat(this.api.delete("/api/v1/tenants/" + suspended, this.admin).status()).isEqualTo(202);
		assertThat(status(suspended)).isEqualTo("PENDING_ERASE");
		assertProblem(this.api.delete("/api/v1/tenants/" + UUID.randomUUID(), this.admin), 404);
		assertProblem(this.api.post("/api/v1/tenants/" + UUID.randomUUID() + "/restore-deletion", this.admin, ""), 404);
	}

	@Test
	void aSuspendedTenantCannotCreateUsers() {
		UUID id = activeTenant("paused");
		String tenantAdmin = this.tokens.issue("ivy", id, List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		assertThat(this.api.post("/api/v1/tenants/" + id + "/suspend", this.admin, "{}").status()).isEqualTo(200);
		assertProblem(this.api.post("/api/v1/tenants/" + id + "/users", tenantAdmin, newUser("jo")), 409);
		assertProblem(this.api.post("/api/v1/tenants/" + id + "/users", this.admin, newUser("jo")), 409);
		assertThat(this.api.post("/api/v1/tenants/" + id + "/reactivate", this.admin, "").status()).isEqualTo(200);
		assertThat(this.api.post("/api/v1/tenants/" + id + "/users", tenantAdmin, newUser("jo")).status())
			.isEqualTo(201);
	}

	@Test
	void tenantAdminsChangeRolesAndDeleteUsersAndEveryChangeIsAnnounced() {
		UUID id = activeTenant("churn");
		String tenantAdmin = this.tokens.issue("alice", id, List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		String user = this.tokens.issue("bob", id, List.of("USER"), Duration.ofMinutes(5));
		String carol = userId(this.api.post("/api/v1/tenants/" + id + "/users", tenantAdmin, newUser("carol")));
		String dave = userId(this.api.post("/api/v1/tenants/" + id + "/users", this.admin, newUser("dave")));
		try (TestEvents.Reader userEvents = TestEvents.read(Topics.USER)) {
			Response promoted = patch("/api/v1/tenants/" + id + "/users/" + carol, tenantAdmin,
					"{\"role\":\"TENANT_ADMIN\"}");
			assertThat(promoted.status()).as(promoted.body()).isEqualTo(200);
			assertThat(JSON.readTree(promoted.body()).get("role").asString()).isEqualTo("TENANT_ADMIN");
			// The same role again changes nothing and announces nothing.
			assertThat(patch("/api/v1/tenants/" + id + "/users/" + carol, this.admin, "{\"role\":\"TENANT_ADMIN\"}")
				.status()).isEqualTo(200);
			assertThat(this.api.delete("/api/v1/tenants/" + id + "/users/" + dave, tenantAdmin).status())
				.isEqualTo(204);
			Response demoted = patch("/api/v1/tenants/" + id + "/users/" + carol, this.admin, "{\"role\":\"USER\"}");
			assertThat(demoted.status()).as(demoted.body()).isEqualTo(200);

			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(userEvents.data(EventTypes.USER_ROLE_CHANGED, id)).hasSize(2));
			List<JsonNode> changes = userEvents.data(EventTypes.USER_ROLE_CHANGED, id);
			assertThat(changes.get(0).get("userId").asString()).isEqualTo(carol);
			assertThat(changes.get(0).get("role").asString()).isEqualTo("TENANT_ADMIN");
			assertThat(changes.get(0).get("previousRole").asString()).isEqualTo("USER");
			assertThat(changes.get(1).get("role").asString()).isEqualTo("USER");
			List<JsonNode> deletions = userEvents.data(EventTypes.USER_DELETED, id);
			assertThat(deletions).hasSize(1);
			assertThat(deletions.get(0).get("userId").asString()).isEqualTo(dave);
			assertThat(deletions.get(0).get("tenantId").asString()).isEqualTo(id.toString());
		}
		String listed = this.api.get("/api/v1/tenants/" + id + "/users", user).body();
		assertThat(listed).contains(carol).doesNotContain(dave);

		// Gone is gone; a user's own kind cannot manage users; bad roles are bad input.
		assertProblem(this.api.delete("/api/v1/tenants/" + id + "/users/" + dave, tenantAdmin), 404);
		assertProblem(patch("/api/v1/tenants/" + id + "/users/" + dave, tenantAdmin, "{\"role\":\"USER\"}"), 404);
		assertProblem(this.api.delete("/api/v1/tenants/" + id + "/users/" + UUID.randomUUID(), this.admin), 404);
		assertProblem(this.api.delete("/api/v1/tenants/" + id + "/users/" + carol, user), 403);
		assertProblem(patch("/api/v1/tenants/" + id + "/users/" + carol, user, "{\"role\":\"TENANT_ADMIN\"}"), 403);
		assertProblem(patch("/api/v1/tenants/" + id + "/users/" + carol, tenantAdmin, "{\"role\":\"ROOT\"}"), 400);
		assertProblem(patch("/api/v1/tenants/" + id + "/users/" + carol, tenantAdmin, "{}"), 400);
		assertProblem(this.api.delete("/api/v1/tenants/" + id + "/users/not-a-uuid", tenantAdmin), 400);
		assertProblem(this.api.delete("/api/v1/tenants/" + UUID.randomUUID() + "/users/" + carol, this.admin), 404);
	}

	@Test
	void anotherTenantsUsersAreNotFoundAndItsAdminsAreRefused() {
		UUID id = activeTenant("home");
		UUID other = activeTenant("abroad");
		String tenantAdmin = this.tokens.issue("alice", id, List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		String otherAdmin = this.tokens.issue("mallory", other, List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		String mine = userId(this.api.post("/api/v1/tenants/" + id + "/users", tenantAdmin, newUser("mine")));
		String theirs = userId(this.api.post("/api/v1/tenants/" + other + "/users", otherAdmin, newUser("theirs")));

		// Another tenant's user through this tenant's path: no such user, even for a
		// system admin.
		assertProblem(this.api.delete("/api/v1/tenants/" + id + "/users/" + theirs, tenantAdmin), 404);
		assertProblem(this.api.delete("/api/v1/tenants/" + id + "/users/" + theirs, this.admin), 404);
		assertProblem(patch("/api/v1/tenants/" + id + "/users/" + theirs, this.admin, "{\"role\":\"USER\"}"), 404);
		// Another tenant's admin finds no such tenant, on its path or through the header.
		assertProblem(this.api.delete("/api/v1/tenants/" + id + "/users/" + mine, otherAdmin), 404);
		assertProblem(patch("/api/v1/tenants/" + id + "/users/" + mine, otherAdmin, "{\"role\":\"TENANT_ADMIN\"}"),
				404);
		assertProblem(
				this.api.delete("/api/v1/tenants/" + id + "/users/" + mine, otherAdmin, "X-Tenant-Id", id.toString()),
				403);
		assertThat(this.api.get("/api/v1/tenants/" + id + "/users", tenantAdmin).body()).contains(mine);
		assertThat(this.api.get("/api/v1/tenants/" + other + "/users", otherAdmin).body()).contains(theirs);
	}

	@Test
	void aDeletedUsersNotificationsGo() {
		UUID tenant = activeTenant("forgotten");
		String erin = userId(this.api.post("/api/v1/tenants/" + tenant + "/users", this.admin, newUser("erin")));
		// The invitation to set a password, and the welcome from user.created.
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(notifications(tenant, erin)).isEqualTo(2));
		assertThat(this.api.delete("/api/v1/tenants/" + tenant + "/users/" + erin, this.admin).status()).isEqualTo(204);
		assertThat(notifications(tenant, erin)).isZero();

		// A welcome written after the deletion, from a user.created still queued ahead of
		// the user.deleted, goes when the user.deleted arrives.
		UUID frank = UUID.randomUUID();
		TestEvents.publish(Topics.USER, EventTypes.USER_CREATED, tenant, UUID.randomUUID().toString(),
				new UserCreated(tenant, frank, "frank@example.com", "Frank", "USER"));
		TestEvents.publish(Topics.USER, EventTypes.USER_DELETED, tenant, UUID.randomUUID().toString(),
				new UserDeleted(tenant, frank));
		UUID gus = UUID.randomUUID(); // after both, on the same partition
		TestEvents.publish(Topics.USER, EventTypes.USER_CREATED, tenant, UUID.randomUUID().toString(),
				new UserCreated(tenant, gus, "gus@example.com", "Gus", "USER"));
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(notifications(tenant, gus.toString())).isOne());
		assertThat(notifications(tenant, frank.toString())).isZero();
	}

	@Test
	void eachPlanLimitsItsUsersEvenWhenTheyAreCreatedTogether() throws Exception {
		UUID id = activeTenant("small", "TRIAL");
		String tenantAdmin = this.tokens.issue("alice", id, List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		int attempts = 8;
		ExecutorService pool = Executors.newFixedThreadPool(attempts);
		List<Response> responses;
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<Response>> pending = new ArrayList<>();
			for (int i = 0; i < attempts; i++) {
				String body = newUser("racer" + i);
				pending.add(pool.submit(() -> {
					start.await();
					return this.api.post("/api/v1/tenants/" + id + "/users", tenantAdmin, body);
				}));
			}
			start.countDown();
			responses = new ArrayList<>();
			for (Future<Response> response : pending) {
				responses.add(response.get(60, TimeUnit.SECONDS));
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(responses).filteredOn((r) -> r.status() == 201).hasSize(Plan.TRIAL.maxUsers());
		List<Response> refused = responses.stream().filter((r) -> r.status() != 201).toList();
		assertThat(refused).hasSize(attempts - Plan.TRIAL.maxUsers());
		for (Response response : refused) {
			assertProblem(response, 409);
			JsonNode problem = JSON.readTree(response.body());
			assertThat(problem.get("limit").asString()).isEqualTo("usersPerTenant");
			assertThat(problem.get("limitValue").asInt()).isEqualTo(3);
			assertThat(problem.get("plan").asString()).isEqualTo("TRIAL");
			assertThat(problem.get("users").asInt()).isEqualTo(3);
			assertThat(problem.get("detail").asString()).contains("TRIAL plan allows at most 3 users");
		}
		assertThat(this.jdbc.sql("select count(*) from tenant_user where tenant_id = ?")
			.param(id)
			.query(Integer.class)
			.single()).isEqualTo(3);

		// A system admin is held to the plan too; a deleted user makes room.
		assertProblem(this.api.post("/api/v1/tenants/" + id + "/users", this.admin, newUser("extra")), 409);
		String one = JSON.readTree(this.api.get("/api/v1/tenants/" + id + "/users", tenantAdmin).body())
			.get("items")
			.get(0)
			.get("id")
			.asString();
		assertThat(this.api.delete("/api/v1/tenants/" + id + "/users/" + one, tenantAdmin).status()).isEqualTo(204);
		assertThat(this.api.post("/api/v1/tenants/" + id + "/users", tenantAdmin, newUser("extra")).status())
			.isEqualTo(201);
		assertProblem(this.api.post("/api/v1/tenants/" + id + "/users", tenantAdmin, newUser("one-more")), 409);
	}

	@Test
	void aFailedTenantIsProvisionedAgainAndBecomesActive() {
		try (TestEvents.Reader tenantEvents = TestEvents.read(Topics.TENANT)) {
			UUID id = UUID.fromString(create("retried-" + shortId(), "PROFESSIONAL").get("id").asString());
			reply(id, "simulation", TenantProvisioned.READY, null);
			reply(id, "file", TenantProvisioned.FAILED, "No DEDICATED cluster in region 'eu'");
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(status(id)).isEqualTo("FAILED"));
			String tenantAdmin = this.tokens.issue("ops", id, List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
			assertProblem(this.api.post("/api/v1/tenants/" + id + "/retry-provisioning", tenantAdmin, ""), 403);

			Response retried = this.api.post("/api/v1/tenants/" + id + "/retry-provisioning", this.admin, "");
			assertThat(retried.status()).as(retried.body()).isEqualTo(202);
			JsonNode tenant = JSON.readTree(retried.body());
			assertThat(tenant.get("status").asString()).isEqualTo("PROVISIONING");
			assertThat(tenant.get("statusReason").isNull()).isTrue();
			Map<String, String> states = new java.util.HashMap<>();
			tenant.get("placements").forEach((p) -> states.put(p.get("service").asString(), p.get("state").asString()));
			// The service that placed it keeps its placement: it would not answer again.
			assertThat(states).containsExactlyInAnyOrderEntriesOf(
					Map.of("simulation", "READY", "file", "PENDING", "billing", "PENDING", "analytics", "PENDING"));
			assertThat(tenant.get("placements").valueStream().filter((p) -> p.get("service").asString().equals("file")))
				.allSatisfy((p) -> assertThat(p.get("reason").isNull()).isTrue());
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(tenantEvents.data(EventTypes.TENANT_CREATED, id)).hasSize(2));
			List<JsonNode> announced = tenantEvents.data(EventTypes.TENANT_CREATED, id);
			assertThat(announced.get(1)).isEqualTo(announced.get(0));
			assertThat(announced.get(1).get("tier").asString()).isEqualTo("DEDICATED");
			assertProblem(this.api.post("/api/v1/tenants/" + id + "/retry-provisioning", this.admin, ""), 409);

			// The old FAILED reply, redelivered, fails nothing: the inbox has it.
			reply(id, "file", TenantProvisioned.FAILED, "No DEDICATED cluster in region 'eu'");
			for (String service : List.of("file", "billing", "analytics")) {
				reply(id, service, TenantProvisioned.READY, null);
			}
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(status(id)).isEqualTo("ACTIVE"));
			assertThat(tenant(id).get("placements").findValuesAsString("state")).containsOnly("READY");
			assertProblem(this.api.post("/api/v1/tenants/" + id + "/retry-provisioning", this.admin, ""), 409);
		}
		assertProblem(this.api.post("/api/v1/tenants/" + UUID.randomUUID() + "/retry-provisioning", this.admin, ""),
				404);
	}

	@Test
	void aFailedTenantThatEveryServicePlacedMeanwhileIsActiveAtOnce() {
		UUID id = UUID.fromString(create("late-" + shortId(), "STANDARD").get("id").asString());
		reply(id, "file", TenantProvisioned.FAILED, "No SHARED cluster in region 'eu'");
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(status(id)).isEqualTo("FAILED"));
		// A redelivered tenant.created found capacity after all: every service is READY.
		for (String service : SERVICES) {
			reply(id, service, TenantProvisioned.READY, null);
		}
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(
					() -> assertThat(tenant(id).get("placements").findValuesAsString("state")).containsOnly("READY"));
		assertThat(status(id)).isEqualTo("FAILED");
		Response retried = this.api.post("/api/v1/tenants/" + id + "/retry-provisioning", this.admin, "");
		assertThat(retried.status()).as(retried.body()).isEqualTo(200);
		assertThat(JSON.readTree(retried.body()).get("status").asString()).isEqualTo("ACTIVE");
	}

	@Test
	void anImmediateDeleteRequestsTheEraseAtOnce() {
		UUID id = activeTenant("forget-me");
		try (TestEvents.Reader tenantEvents = TestEvents.read(Topics.TENANT)) {
			Response deleted = this.api.delete("/api/v1/tenants/" + id + "?immediate=true", this.admin);
			assertThat(deleted.status()).as(deleted.body()).isEqualTo(202);
			JsonNode tenant = JSON.readTree(deleted.body());
			assertThat(tenant.get("status").asString()).isEqualTo("ERASING");
			assertThat(tenant.get("placements").findValuesAsString("state")).containsExactly("ERASING", "ERASING",
					"ERASING", "ERASING");
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(tenantEvents.data(EventTypes.TENANT_ERASE_REQUESTED, id)).hasSize(1));
			assertThat(tenantEvents.data(EventTypes.TENANT_DELETED, id)).hasSize(1);
			assertThat(tenantEvents.data(EventTypes.TENANT_DELETED, id).get(0).get("status").asString())
				.isEqualTo("ERASING");
			assertThat(tenantEvents.data(EventTypes.TENANT_ERASE_REQUESTED, id).get(0).get("requestedAt").asString())
				.isNotBlank();
		}
		assertProblem(this.api.post("/api/v1/tenants/" + id + "/restore-deletion", this.admin, ""), 409);
		assertProblem(this.api.delete("/api/v1/tenants/" + id, this.admin), 409);
	}

	@Test
	void theEraseIsRequestedWhenTheGracePeriodEnds() {
		UUID id = activeTenant("expiring");
		try (TestEvents.Reader tenantEvents = TestEvents.read(Topics.TENANT)) {
			assertThat(this.api.delete("/api/v1/tenants/" + id, this.admin).status()).isEqualTo(202);
			assertThat(status(id)).isEqualTo("PENDING_ERASE");
			// The hour passes.
			this.jdbc.sql("update tenant set erase_after = now() - interval '1 second' where id = ?")
				.param(id)
				.update();
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(tenantEvents.data(EventTypes.TENANT_ERASE_REQUESTED, id)).hasSize(1));
			JsonNode tenant = tenant(id);
			assertThat(tenant.get("status").asString()).isEqualTo("ERASING");
			assertThat(tenant.get("placements").findValuesAsString("state")).containsOnly("ERASING");
			assertThat(tenantEvents.data(EventTypes.TENANT_ERASE_REQUESTED, id).get(0).get("requestedAt").asString())
				.isNotBlank();
		}
		assertProblem(this.api.post("/api/v1/tenants/" + id + "/restore-deletion", this.admin, ""), 409);
	}

	@Test
	void everyServicesReportErasesTheTenantAndLateEventsAreDropped() {
		UUID id = activeTenant("leaving");
		UUID change = requestTierChange(id, "PROFESSIONAL");
		for (String service : SERVICES) {
			migrated(id, change, service, false, Tier.DEDICATED, null);
		}
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(tenant(id).get("plan").asString()).isEqualTo("PROFESSIONAL"));
		Response created = this.api.post("/api/v1/tenants/" + id + "/users", this.admin, newUser("kim"));
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		String kim = JSON.readTree(created.body()).get("id").asString();
		String kimsToken = this.tokens.issue(kim, id, List.of("USER"), Duration.ofMinutes(5));
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(
					JSON.readTree(this.api.get("/api/v1/notifications", kimsToken).body()).get("items").size())
				.isEqualTo(2)); // the invitation and the welcome
		assertThat(rowsOf(id)).containsEntry("tenant_user", 1L).containsEntry("notification", 2L);
		Response client = this.api.post("/api/v1/tenants/" + id + "/clients", this.admin,
				"{\"name\":\"etl\",\"roles\":[\"USER\"]}");
		assertThat(client.status()).as(client.body()).isEqualTo(201);
		String clientId = JSON.readTree(client.body()).get("client").get("clientId").asString();

		assertThat(this.api.delete("/api/v1/tenants/" + id + "?immediate=true", this.admin).status()).isEqualTo(202);
		assertProblem(this.api.get("/api/v1/notifications", kimsToken), 403);
		erased(id, "simulation", "erased-simulation-" + id);
		erased(id, "file", "erased-file-" + id);
		erased(id, "file", "erased-file-" + id); // redelivered
		erased(id, "file", "erased-file-again-" + id); // answered again after a restart
		erased(id, "billing", "erased-billing-" + id);
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(tenant(id).get("placements")
				.valueStream()
				.filter((p) -> p.get("state").asString().equals("ERASED"))).hasSize(3));
		assertThat(status(id)).isEqualTo("ERASING");
		JsonNode partial = JSON.readTree(this.api.get("/api/v1/tenants/" + id + "/erasure", this.admin).body());
		assertThat(partial.get("tenantService").isNull()).isTrue();
		assertThat(partial.get("services").findValuesAsString("state")).containsExactly("ERASING", "ERASED", "ERASED",
				"ERASED");

		erased(id, "analytics", "erased-analytics-" + id);
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(status(id)).isEqualTo("ERASED"));
		JsonNode tombstone = tenant(id);
		assertThat(tombstone.get("name").asString()).isEqualTo("[erased]");
		assertThat(tombstone.get("slug").isNull()).isTrue();
		assertThat(tombstone.get("erasedAt").isNull()).isFalse();
		for (JsonNode placement : tombstone.get("placements")) {
			assertThat(placement.get("state").asString()).isEqualTo("ERASED");
			assertThat(placement.get("erasedAt").isNull()).isFalse();
		}
		assertThat(rowsOf(id)).containsOnly(Map.entry("tenant_user", 0L), Map.entry("notification", 0L),
				Map.entry("tier_change", 0L), Map.entry("inbox", 0L), Map.entry("outbox", 0L),
				Map.entry("tenant_client", 0L), Map.entry("password_token", 0L));
		assertThat(this.jdbc.sql("select count(*) from oauth2_registered_client where client_id = ?")
			.param(clientId)
			.query(Long.class)
			.single()).isZero();

		JsonNode certificate = JSON.readTree(this.api.get("/api/v1/tenants/" + id + "/erasure", this.admin).body());
		assertThat(certificate.get("status").asString()).isEqualTo("ERASED");
		assertThat(certificate.get("erasedAt").isNull()).isFalse();
		JsonNode own = certificate.get("tenantService");
		assertThat(own.get("rowsDeleted").get("tenant_user").asLong()).isEqualTo(1);
		assertThat(own.get("rowsDeleted").get("notification").asLong()).isEqualTo(2);
		assertThat(own.get("rowsDeleted").get("password_token").asLong()).isEqualTo(1);
		assertThat(own.get("rowsDeleted").get("tenant_client").asLong()).isEqualTo(1);
		assertThat(own.get("rowsDeleted").get("oauth2_registered_client").asLong()).isEqualTo(1);
		assertThat(own.get("rowsDeleted").get("tier_change").asLong()).isEqualTo(1);
		assertThat(own.get("rowsDeleted").get("tier_change_move").asLong()).isEqualTo(4);
		assertThat(own.get("rowsDeleted").get("inbox").asLong()).isPositive();
		assertThat(own.get("kept").get("tenant_service_placement").asLong()).isEqualTo(4);
		assertThat(certificate.get("services")).hasSize(4);
		for (JsonNode service : certificate.get("services")) {
			assertThat(service.get("state").asString()).isEqualTo("ERASED");
			assertThat(service.get("report").get("service").asString()).isEqualTo(service.get("service").asString());
			assertThat(service.get("report").get("rowsDeleted").get("runs").asLong()).isEqualTo(10);
			assertThat(service.get("erasedAt").isNull()).isFalse();
		}
		JsonNode billing = certificate.get("services")
			.valueStream()
			.filter((s) -> s.get("service").asString().equals("billing"))
			.findFirst()
			.orElseThrow();
		assertThat(billing.get("report").get("kept").get("invoices").asLong()).isEqualTo(1);

		// Late events: a provisioning reply, a user's welcome, a run's end, and one more
		// report. None of them changes anything, or leaves an inbox row.
		double droppedBefore = dropped().count();
		reply(id, "simulation", TenantProvisioned.READY, null);
		TestEvents.publish(Topics.USER, EventTypes.USER_CREATED, id, UUID.randomUUID().toString(),
				new UserCreated(id, UUID.fromString(kim), "kim@example.com", "Kim", "USER"));
		TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, id, UUID.randomUUID().toString(),
				new SimulationCompleted(id, UUID.randomUUID(), UUID.randomUUID(), 1000, 10, 5, kim,
						OffsetDateTime.now()));
		erased(id, "billing", "erased-billing-late-" + id);
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(dropped().count()).isGreaterThanOrEqualTo(droppedBefore + 3));
		assertThat(tenant(id).get("placements").findValuesAsString("state")).containsOnly("ERASED");
		assertThat(rowsOf(id)).containsOnly(Map.entry("tenant_user", 0L), Map.entry("notification", 0L),
				Map.entry("tier_change", 0L), Map.entry("inbox", 0L), Map.entry("outbox", 0L),
				Map.entry("tenant_client", 0L), Map.entry("password_token", 0L));
		assertThat(this.jdbc.sql("select count(*) from oauth2_registered_client where client_id = ?")
			.param(clientId)
			.query(Long.class)
			.single()).isZero();
		assertThat(JSON.readTree(this.api.get("/api/v1/tenants/" + id + "/erasure", this.admin).body()))
			.isEqualTo(certificate);
		assertProblem(this.api.post("/api/v1/tenants/" + id + "/users", this.admin, newUser("lee")), 409);
		assertProblem(this.api.get("/api/v1/tenants/" + id, kimsToken), 403);
	}

	@Test
	void anExportRunsInEveryServiceAndItsArchiveDownloadsWhole() throws Exception {
		UUID id = activeTenant("exported");
		UUID exportId;
		try (TestEvents.Reader tenantEvents = TestEvents.read(Topics.TENANT)) {
			Response requested = this.api.post("/api/v1/tenants/" + id + "/exports", this.admin, "");
			assertThat(requested.status()).as(requested.body()).isEqualTo(202);
			JsonNode export = JSON.readTree(requested.body());
			assertThat(export.get("status").asString()).isEqualTo("RUNNING");
			assertThat(export.get("services").findValuesAsString("status")).containsOnly("PENDING").hasSize(4);
			exportId = UUID.fromString(export.get("id").asString());
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(tenantEvents.data(EventTypes.TENANT_EXPORT_REQUESTED, id)).hasSize(1));
			assertThat(tenantEvents.data(EventTypes.TENANT_EXPORT_REQUESTED, id).get(0).get("exportId").asString())
				.isEqualTo(exportId.toString());
		}
		assertProblem(this.api.post("/api/v1/tenants/" + id + "/exports", this.admin, ""), 409);

		exportProgress(id, exportId, "simulation", 1200, 40_000);
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(exportPart(id, exportId, "simulation").get("status").asString())
				.isEqualTo("RUNNING"));
		JsonNode running = export(id, exportId);
		assertThat(running.get("status").asString()).isEqualTo("RUNNING");
		assertThat(running.get("rowsWritten").asLong()).isEqualTo(1200);
		assertThat(exportPart(id, exportId, "simulation").get("bytesWritten").asLong()).isEqualTo(40_000);
		assertProblem(this.api.get("/api/v1/tenants/" + id + "/exports/" + exportId + "/archive", this.admin), 409);

		Map<String, byte[]> parts = writeParts(exportId, id);
		for (String service : SERVICES) {
			exported(id, exportId, service, parts.get(service).length, null);
		}
		exported(id, exportId, "file", parts.get("file").length, null); // redelivered
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(export(id, exportId).get("status").asString()).isEqualTo("COMPLETED"));
		JsonNode completed = export(id, exportId);
		assertThat(completed.get("finishedAt").isNull()).isFalse();
		assertThat(completed.get("rowsWritten").asLong()).isEqualTo(8);
		assertThat(exportPart(id, exportId, "billing").get("schemaVersion").asString()).isEqualTo("3");
		assertThat(exportPart(id, exportId, "billing").get("tables").get("runs").get("rows").asLong()).isEqualTo(2);

		HttpResponse<byte[]> download = download(id, exportId, this.admin);
		assertThat(download.statusCode()).isEqualTo(200);
		assertThat(download.headers().firstValue("Content-Type")).hasValue("application/zip");
		List<Map.Entry<String, byte[]>> entries = unzip(download.body());
		assertThat(entries).extracting(Map.Entry::getKey)
			.containsExactly("manifest.json", "simulation.zip", "file.zip", "billing.zip", "analytics.zip");
		JsonNode manifest = JSON.readTree(entries.get(0).getValue());
		assertThat(manifest.get("format").asString()).isEqualTo("tierflow-export/1");
		assertThat(manifest.get("exportId").asString()).isEqualTo(exportId.toString());
		assertThat(manifest.get("tenantId").asString()).isEqualTo(id.toString());
		assertThat(manifest.get("exportedAt").isNull()).isFalse();
		for (Map.Entry<String, byte[]> entry : entries.subList(1, entries.size())) {
			String service = entry.getKey().replace(".zip", "");
			JsonNode described = manifest.get("services").get(service);
			assertThat(entry.getValue()).isEqualTo(parts.get(service));
			assertThat(described.get("sha256").asString()).isEqualTo(sha256(parts.get(service)));
			assertThat(described.get("size").asLong()).isEqualTo(parts.get(service).length);
			assertThat(described.get("schemaVersion").asString()).isEqualTo("3");
		}
	}

	@Test
	void tenantAdminsExportTheirOwnTenantAndNoOneElses() {
		UUID id = activeTenant("own-export");
		UUID other = activeTenant("other-export");
		String tenantAdmin = this.tokens.issue("alice", id, List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		String user = this.tokens.issue("bob", id, List.of("USER"), Duration.ofMinutes(5));
		String otherAdmin = this.tokens.issue("mallory", other, List.of("TENANT_ADMIN"), Duration.ofMinutes(5));

		Response requested = this.api.post("/api/v1/tenants/" + id + "/exports", tenantAdmin, "");
		assertThat(requested.status()).as(requested.body()).isEqualTo(202);
		JsonNode export = JSON.readTree(requested.body());
		assertThat(export.get("requestedBy").asString()).isEqualTo("alice");
		String path = "/api/v1/tenants/" + id + "/exports/" + export.get("id").asString();
		assertThat(this.api.get(path, tenantAdmin).status()).isEqualTo(200);
		Response listed = this.api.get("/api/v1/tenants/" + id + "/exports", tenantAdmin);
		assertThat(listed.status()).as(listed.body()).isEqualTo(200);
		assertThat(JSON.readTree(listed.body()).get("items").get(0).get("id").asString())
			.isEqualTo(export.get("id").asString());

		assertProblem(this.api.get("/api/v1/tenants/" + id + "/exports", otherAdmin), 404);
		assertProblem(this.api.get("/api/v1/tenants/" + id + "/exports", user), 403);
		assertProblem(this.api.get("/api/v1/tenants/" + id + "/exports?size=0", this.admin), 400);
		assertProblem(this.api.get("/api/v1/tenants/" + id + "/exports?size=101", this.admin), 400);
		assertProblem(this.api.get("/api/v1/tenants/" + id + "/exports?page=-1", this.admin), 400);
		assertProblem(this.api.get("/api/v1/tenants/" + UUID.randomUUID() + "/exports", this.admin), 404);
		assertProblem(this.api.post("/api/v1/tenants/" + id + "/exports", otherAdmin, ""), 404);
		assertProblem(this.api.get(path, otherAdmin), 404);
		assertProblem(this.api.get(path + "/archive", otherAdmin), 404);
		assertProblem(this.api.post("/api/v1/tenants/" + id + "/exports", user, ""), 403);
		assertProblem(this.api.get(path, user), 403);
		assertProblem(this.api.get("/api/v1/tenants/" + other + "/exports/" + export.get("id").asString(), this.admin),
				404);
		assertProblem(this.api.get("/api/v1/tenants/" + id + "/exports/" + UUID.randomUUID(), this.admin), 404);

		UUID provisioning = UUID.fromString(create("unplaced-" + shortId(), "TRIAL").get("id").asString());
		assertProblem(this.api.post("/api/v1/tenants/" + provisioning + "/exports", this.admin, ""), 409);
		assertProblem(this.api.post("/api/v1/tenants/" + UUID.randomUUID() + "/exports", this.admin, ""), 404);
	}

	@Test
	void aPartThatCannotBeWrittenFailsTheExportAndTheOtherPartsGo() throws Exception {
		UUID id = activeTenant("export-fails");
		UUID exportId = UUID
			.fromString(JSON.readTree(this.api.post("/api/v1/tenants/" + id + "/exports", this.admin, "").body())
				.get("id")
				.asString());
		Map<String, byte[]> parts = writeParts(exportId, id);
		exported(id, exportId, "simulation", parts.get("simulation").length, null);
		exported(id, exportId, "billing", 0, "No space left on device");
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(export(id, exportId).get("status").asString()).isEqualTo("FAILED"));
		assertThat(export(id, exportId).get("reason").asString()).isEqualTo("billing: No space left on device");
		assertThat(ARCHIVES.resolve(exportId.toString())).doesNotExist();
		assertProblem(this.api.get("/api/v1/tenants/" + id + "/exports/" + exportId + "/archive", this.admin), 409);
		// The tenant can be exported again.
		assertThat(this.api.post("/api/v1/tenants/" + id + "/exports", this.admin, "").status()).isEqualTo(202);
	}

	@Test
	void onlyTheNewestExportsOfATenantAreKept() throws Exception {
		UUID id = activeTenant("kept-exports");
		UUID first = completedExport(id);
		UUID second = completedExport(id);
		UUID third = completedExport(id);
		UUID fourth = completedExport(id);
		assertProblem(this.api.get("/api/v1/tenants/" + id + "/exports/" + first, this.admin), 404);
		assertThat(ARCHIVES.resolve(first.toString())).doesNotExist();
		for (UUID kept : List.of(second, third, fourth)) {
			assertThat(export(id, kept).get("status").asString()).isEqualTo("COMPLETED");
			assertThat(ARCHIVES.resolve(kept.toString())).isDirectory();
		}
		// The history lists what is kept, newest first, a page at a time.
		JsonNode newest = JSON.readTree(this.api.get("/api/v1/tenants/" + id + "/exports?size=2", this.admin).body());
		assertThat(newest.get("items").findValuesAsString("id")).containsExactly(fourth.toString(), third.toString());
		JsonNode older = JSON
			.readTree(this.api.get("/api/v1/tenants/" + id + "/exports?size=2&page=1", this.admin).body());
		assertThat(older.get("items")).hasSize(1);
		assertThat(older.get("items").get(0).get("id").asString()).isEqualTo(second.toString());
		assertThat(older.get("items").get(0).get("services")).isNotEmpty();
	}

	@Test
	void anImportedExportIsImportingUntilEveryServiceLoadedItsPartThenActive() throws Exception {
		UUID source = activeTenant("import-source");
		UUID exportId = completedExport(source);
		String slug = "imported-" + shortId();
		try (TestEvents.Reader tenantEvents = TestEvents.read(Topics.TENANT)) {
			HttpResponse<String> created = postJson("/api/v1/tenants/imports",
					"{\"exportId\":\"" + exportId + "\",\"name\":\"Imported\",\"slug\":\"" + slug
							+ "\",\"plan\":\"ENTERPRISE\",\"region\":\"eu\",\"keepId\":false}");
			assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
			JsonNode tenant = JSON.readTree(created.body());
			UUID id = UUID.fromString(tenant.get("id").asString());
			assertThat(id).isNotEqualTo(source);
			assertThat(tenant.get("status").asString()).isEqualTo("IMPORTING");
			assertThat(tenant.get("tier").asString()).isEqualTo("ENTERPRISE");
			assertThat(tenant.get("placements").findValuesAsString("state")).containsOnly("PENDING").hasSize(4);
			String location = created.headers().firstValue("Location").orElseThrow();
			UUID importId = UUID.fromString(location.substring(location.lastIndexOf('/') + 1));

			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(tenantEvents.data(EventTypes.TENANT_IMPORT_REQUESTED, id)).hasSize(1));
			JsonNode request = tenantEvents.data(EventTypes.TENANT_IMPORT_REQUESTED, id).get(0);
			assertThat(request.get("importId").asString()).isEqualTo(importId.toString());
			assertThat(request.get("archiveId").asString()).isEqualTo(exportId.toString());
			assertThat(request.get("sourceTenantId").asString()).isEqualTo(source.toString());
			assertThat(request.get("tier").asString()).isEqualTo("ENTERPRISE");
			assertThat(request.get("region").asString()).isEqualTo("eu");
			assertThat(tenantEvents.data(EventTypes.TENANT_CREATED, id)).isEmpty();

			// Placed everywhere is not loaded: the tenant stays IMPORTING.
			for (String service : SERVICES) {
				reply(id, service, TenantProvisioned.READY, null);
			}
			imported(id, importId, "simulation", null, null);
			imported(id, importId, "file", null, null);
			imported(id, importId, "billing", null, null);
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(importJob(importId).get("services").findValuesAsString("status"))
					.containsExactly("PENDING", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"));
			assertThat(status(id)).isEqualTo("IMPORTING");
			assertThat(importJob(importId).get("status").asString()).isEqualTo("RUNNING");

			imported(id, importId, "analytics", null, null);
			imported(id, importId, "analytics", null, null); // redelivered
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(status(id)).isEqualTo("ACTIVE"));
			JsonNode job = importJob(importId);
			assertThat(job.get("status").asString()).isEqualTo("COMPLETED");
			assertThat(job.get("tenantId").asString()).isEqualTo(id.toString());
			assertThat(job.get("exportId").asString()).isEqualTo(exportId.toString());
			assertThat(job.get("services").get(0).get("tables").get("runs").get("rows").asLong()).isEqualTo(2);
			assertThat(job.get("services").get(0).get("rowsLoaded").asLong()).isEqualTo(2);
			assertThat(tenant(id).get("placements").findValuesAsString("state")).containsOnly("READY");
		}
		// The export is still there to import again, and the slug is taken.
		assertThat(ARCHIVES.resolve(exportId.toString())).isDirectory();
		assertThat(
				postJson("/api/v1/tenants/imports", "{\"exportId\":\"" + exportId + "\",\"name\":\"Again\",\"slug\":\""
						+ slug + "\",\"plan\":\"STANDARD\",\"region\":\"eu\"}")
					.statusCode())
			.isEqualTo(409);
		// Its id is not free: the source tenant is not erased.
		HttpResponse<String> kept = postJson("/api/v1/tenants/imports",
				"{\"exportId\":\"" + exportId + "\",\"name\":\"Kept\",\"slug\":\"kept-" + shortId()
						+ "\",\"plan\":\"STANDARD\",\"region\":\"eu\"" + ",\"keepId\":true}");
		assertThat(kept.statusCode()).as(kept.body()).isEqualTo(409);
	}

	@Test
	void onlySystemAdminsImportAndTheRequestIsChecked() throws Exception {
		UUID source = activeTenant("import-rules");
		String tenantAdmin = this.tokens.issue("alice", source, List.of("TENANT_ADMIN"), Duration.ofMinutes(5));
		String body = "{\"exportId\":\"" + UUID.randomUUID()
				+ "\",\"name\":\"X\",\"slug\":\"x-slug\",\"plan\":\"TRIAL\",\"region\":\"eu\"}";
		assertProblem(this.api.post("/api/v1/tenants/imports", tenantAdmin, body), 403);
		assertProblem(this.api.post("/api/v1/tenants/imports", this.admin, body), 404);
		assertProblem(this.api.post("/api/v1/tenants/imports", this.admin,
				"{\"name\":\"X\",\"slug\":\"x-slug\",\"plan\":\"TRIAL\",\"region\":\"eu\"}"), 400);
		assertProblem(this.api.post("/api/v1/tenants/imports", this.admin,
				"{\"exportId\":\"" + UUID.randomUUID() + "\",\"name\":\"X\",\"slug\":\"Bad!\",\"plan\":\"TRIAL\"}"),
				400);
		UUID running = UUID
			.fromString(JSON.readTree(this.api.post("/api/v1/tenants/" + source + "/exports", this.admin, "").body())
				.get("id")
				.asString());
		assertProblem(
				this.api
					.post("/api/v1/tenants/imports", this.admin,
							"{\"exportId\":\"" + running
									+ "\",\"name\":\"X\",\"slug\":\"x-slug\",\"plan\":\"TRIAL\",\"region\":\"eu\"}"),
				409);
		byte[] archive = exportArchive(source, running, parts(running, source), null);
		assertThat(upload(archive, Map.of("name", "X", "slug", "x-" + shortId(), "plan", "PLATINUM", "region", "eu"),
				this.admin)
			.statusCode()).isEqualTo(400);
		HttpResponse<String> refused = upload(archive,
				Map.of("name", "X", "slug", "x-" + shortId(), "plan", "TRIAL", "region", "eu"), tenantAdmin);
		assertThat(refused.statusCode()).isEqualTo(403);
		assertProblem(this.api.get("/api/v1/tenants/imports/" + UUID.randomUUID(), this.admin), 404);
		assertProblem(this.api.get("/api/v1/tenants/imports/" + UUID.randomUUID(), tenantAdmin), 403);
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(importArea()).isEmpty());
	}

	@Test
	void anUploadedArchiveIsCheckedPlacedForTheServicesAndRemovedOnceImported() throws Exception {
		UUID source = activeTenant("upload-source");
		UUID exportId = completedExport(source);
		byte[] archive = download(source, exportId, this.admin).body();
		String slug = "uploaded-" + shortId();
		try (TestEvents.Reader tenantEvents = TestEvents.read(Topics.TENANT)) {
			HttpResponse<String> created = upload(archive,
					Map.of("name", "Uploaded", "slug", slug, "plan", "STANDARD", "region", "eu", "keepId", "false"),
					this.admin);
			assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
			JsonNode tenant = JSON.readTree(created.body());
			UUID id = UUID.fromString(tenant.get("id").asString());
			assertThat(tenant.get("status").asString()).isEqualTo("IMPORTING");
			assertThat(tenant.get("slug").asString()).isEqualTo(slug);
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(tenantEvents.data(EventTypes.TENANT_IMPORT_REQUESTED, id)).hasSize(1));
			JsonNode request = tenantEvents.data(EventTypes.TENANT_IMPORT_REQUESTED, id).get(0);
			assertThat(request.get("tier").asString()).isEqualTo("SHARED");
			assertThat(request.get("sourceTenantId").asString()).isEqualTo(source.toString());
			UUID archiveId = UUID.fromString(request.get("archiveId").asString());
			UUID importId = UUID.fromString(request.get("importId").asString());
			assertThat(archiveId).isNotEqualTo(exportId);
			for (String service : SERVICES) {
				assertThat(ARCHIVES.resolve(archiveId + "/" + service + ".zip"))
					.hasSameBinaryContentAs(ARCHIVES.resolve(exportId + "/" + service + ".zip"));
			}
			assertThat(importJob(importId).get("exportId").isNull()).isTrue();
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(importArea()).isEmpty());

			for (String service : SERVICES) {
				imported(id, importId, service, null, null);
			}
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(status(id)).isEqualTo("ACTIVE"));
			assertThat(ARCHIVES.resolve(archiveId.toString())).doesNotExist();
		}
	}

	@Test
	void keepIdGivesTheImportedTenantTheIdOfItsErasedSource() throws Exception {
		UUID source = activeTenant("reborn");
		UUID exportId = completedExport(source);
		byte[] archive = download(source, exportId, this.admin).body();
		HttpResponse<String> taken = upload(archive, Map.of("name", "Too early", "slug", "early-" + shortId(), "plan",
				"TRIAL", "region", "eu", "keepId", "true"), this.admin);
		assertThat(taken.statusCode()).as(taken.body()).isEqualTo(409);

		assertThat(this.api.delete("/api/v1/tenants/" + source + "?immediate=true", this.admin).status())
			.isEqualTo(202);
		for (String service : SERVICES) {
			erased(source, service, "erased-" + service + "-" + source);
		}
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(status(source)).isEqualTo("ERASED"));
		// The erase took the tenant's exports and their archives.
		assertThat(ARCHIVES.resolve(exportId.toString())).doesNotExist();
		assertThat(this.jdbc.sql("select count(*) from tenant_export where tenant_id = ?")
			.param(source)
			.query(Long.class)
			.single()).isZero();
		JsonNode own = JSON.readTree(this.api.get("/api/v1/tenants/" + source + "/erasure", this.admin).body())
			.get("tenantService");
		assertThat(own.get("rowsDeleted").get("tenant_export").asLong()).isEqualTo(1);
		assertThat(own.get("rowsDeleted").get("tenant_export_part").asLong()).isEqualTo(4);

		String slug = "reborn-" + shortId();
		HttpResponse<String> created = upload(archive,
				Map.of("name", "Reborn", "slug", slug, "plan", "PROFESSIONAL", "region", "eu", "keepId", "true"),
				this.admin);
		assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
		JsonNode tenant = JSON.readTree(created.body());
		assertThat(tenant.get("id").asString()).isEqualTo(source.toString());
		assertThat(tenant.get("status").asString()).isEqualTo("IMPORTING");
		assertThat(tenant.get("name").asString()).isEqualTo("Reborn");
		assertThat(tenant.get("tier").asString()).isEqualTo("DEDICATED");
		assertThat(tenant.get("erasedAt").isNull()).isTrue();
		assertThat(tenant.get("deleteRequestedAt").isNull()).isTrue();
		assertThat(tenant.get("placements").findValuesAsString("state")).containsOnly("PENDING").hasSize(4);
		UUID importId = UUID
			.fromString(created.headers().firstValue("Location").orElseThrow().replace("/api/v1/tenants/imports/", ""));
		for (String service : SERVICES) {
			imported(source, importId, service, null, null);
		}
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(status(source)).isEqualTo("ACTIVE"));
	}

	@Test
	void aDamagedArchiveIsRefusedNamingTheServiceAndTableAndNothingIsLeft() throws Exception {
		UUID source = activeTenant("damaged");
		UUID exportId = completedExport(source);
		byte[] archive = download(source, exportId, this.admin).body();
		List<Path> archivesBefore = archiveDirectories();
		String slug = "damaged-" + shortId();
		Map<String, String> fields = Map.of("name", "Damaged", "slug", slug, "plan", "STANDARD", "region", "eu");

		// Cut short.
		JsonNode truncated = refused(upload(Arrays.copyOf(archive, archive.length * 2 / 3), fields, this.admin));
		assertThat(SERVICES).contains(truncated.get("service").asString());
		assertThat(truncated.get("detail").asString()).contains("truncated");

		// A part whose bytes are not the ones the manifest describes.
		Map<String, byte[]> parts = parts(exportId, source);
		Map<String, byte[]> corrupted = new LinkedHashMap<>(parts);
		byte[] file = parts.get("file").clone();
		file[file.length / 2] ^= 0x5a;
		corrupted.put("file", file);
		JsonNode mismatch = refused(upload(exportArchive(source, exportId, corrupted, parts), fields, this.admin));
		assertThat(mismatch.get("service").asString()).isEqualTo("file");
		assertThat(mismatch.get("table").isNull()).isTrue();

		// A part whose rows were altered, its manifest left as it was.
		Map<String, byte[]> altered = new LinkedHashMap<>(parts);
		altered.put("simulation", part(source, exportId, "simulation", true));
		JsonNode tampered = refused(upload(exportArchive(source, exportId, altered, null), fields, this.admin));
		assertThat(tampered.get("service").asString()).isEqualTo("simulation");
		assertThat(tampered.get("table").asString()).isEqualTo("runs");
		assertThat(tampered.get("detail").asString()).contains("SHA-256");

		// A part missing, and no ZIP at all.
		Map<String, byte[]> missing = new LinkedHashMap<>(parts);
		missing.remove("analytics");
		assertThat(refused(upload(exportArchive(source, exportId, missing, null), fields, this.admin)).get("service")
			.asString()).isEqualTo("analytics");
		assertThat(refused(upload("not a zip".getBytes(StandardCharsets.UTF_8), fields, this.admin)).get("service")
			.isNull()).isTrue();

		// An export whose part on disk was damaged since.
		Files.write(ARCHIVES.resolve(exportId + "/billing.zip"), part(source, exportId, "billing", true));
		HttpResponse<String> fromExport = postJson("/api/v1/tenants/imports", "{\"exportId\":\"" + exportId
				+ "\",\"name\":\"Damaged\",\"slug\":\"" + slug + "\",\"plan\":\"STANDARD\",\"region\":\"eu\"}");
		JsonNode damaged = refused(fromExport);
		assertThat(damaged.get("service").asString()).isEqualTo("billing");
		assertThat(damaged.get("table").asString()).isEqualTo("runs");

		assertThat(this.jdbc.sql("select count(*) from tenant where slug = ?").param(slug).query(Long.class).single())
			.isZero();
		assertThat(this.jdbc.sql("select count(*) from tenant where status = 'IMPORTING' and name = 'Damaged'")
			.query(Long.class)
			.single()).isZero();
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(importArea()).isEmpty());
		assertThat(archiveDirectories()).containsExactlyInAnyOrderElementsOf(archivesBefore);
	}

	@Test
	void anArchiveLargerThanTheLargestImportIsRefusedAsItArrives() throws Exception {
		byte[] large = new byte[1024 * 1024 + 4096];
		new java.util.Random(7).nextBytes(large);
		String slug = "large-" + shortId();
		HttpResponse<String> refused = upload(large,
				Map.of("name", "Large", "slug", slug, "plan", "STANDARD", "region", "eu"), this.admin);
		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(413);
		assertThat(refused.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
		assertThat(this.jdbc.sql("select count(*) from tenant where slug = ?").param(slug).query(Long.class).single())
			.isZero();
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(importArea()).isEmpty());
	}

	@Test
	void aRefusedPartFailsTheImportAndErasesTheTenantAtOnce() throws Exception {
		UUID source = activeTenant("refused-source");
		UUID exportId = completedExport(source);
		try (TestEvents.Reader tenantEvents = TestEvents.read(Topics.TENANT)) {
			HttpResponse<String> created = postJson("/api/v1/tenants/imports",
					"{\"exportId\":\"" + exportId + "\",\"name\":\"Refused\",\"slug\":\"refused-" + shortId()
							+ "\",\"plan\":\"STANDARD\",\"region\":\"eu\"}");
			assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
			UUID id = UUID.fromString(JSON.readTree(created.body()).get("id").asString());
			UUID importId = UUID.fromString(
					created.headers().firstValue("Location").orElseThrow().replace("/api/v1/tenants/imports/", ""));
			imported(id, importId, "simulation", null, null);
			imported(id, importId, "file", "file, table blobs: its bytes do not match the manifest", "blobs");
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(importJob(importId).get("status").asString()).isEqualTo("FAILED"));
			JsonNode job = importJob(importId);
			assertThat(job.get("reason").asString())
				.isEqualTo("file: file, table blobs: its bytes do not match the manifest");
			JsonNode file = job.get("services")
				.valueStream()
				.filter((p) -> p.get("service").asString().equals("file"))
				.findFirst()
				.orElseThrow();
			assertThat(file.get("status").asString()).isEqualTo("FAILED");
			assertThat(file.get("table").asString()).isEqualTo("blobs");
			assertThat(status(id)).isEqualTo("ERASING");
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(tenantEvents.data(EventTypes.TENANT_ERASE_REQUESTED, id)).hasSize(1));

			// The services that had not answered yet are not heard any more; the erase
			// goes on.
			imported(id, importId, "billing", null, null);
			for (String service : SERVICES) {
				erased(id, service, "erased-" + service + "-" + id);
			}
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(status(id)).isEqualTo("ERASED"));
			assertProblem(this.api.get("/api/v1/tenants/imports/" + importId, this.admin), 404);
		}
		// The export imported from stays.
		assertThat(export(source, exportId).get("status").asString()).isEqualTo("COMPLETED");
	}

	private UUID activeTenant(String slugPrefix) {
		return activeTenant(slugPrefix, "STANDARD");
	}

	private UUID activeTenant(String slugPrefix, String plan) {
		UUID id = UUID.fromString(
				create(slugPrefix + "-" + UUID.randomUUID().toString().substring(0, 8), plan).get("id").asString());
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

	private UUID requestTierChange(UUID id, String plan) {
		Response r = this.api.post("/api/v1/tenants/" + id + "/tier-change", this.admin, "{\"plan\":\"" + plan + "\"}");
		assertThat(r.status()).as(r.body()).isEqualTo(202);
		return UUID.fromString(JSON.readTree(r.body()).get("pendingTierChange").get("id").asString());
	}

	private JsonNode tenant(UUID id) {
		return JSON.readTree(this.api.get("/api/v1/tenants/" + id, this.admin).body());
	}

	private List<JsonNode> tierChanges(UUID id) {
		Response r = this.api.get("/api/v1/tenants/" + id + "/tier-changes", this.admin);
		assertThat(r.status()).as(r.body()).isEqualTo(200);
		return JSON.readTree(r.body()).get("items").valueStream().toList();
	}

	private static JsonNode move(JsonNode change, String service, boolean rollback) {
		return change.get("moves")
			.valueStream()
			.filter((m) -> m.get("service").asString().equals(service) && m.get("rollback").asBoolean() == rollback)
			.findFirst()
			.orElseThrow(() -> new AssertionError("No move of " + service + " in " + change));
	}

	private static List<String> strings(JsonNode array) {
		return array.valueStream().map(JsonNode::asString).toList();
	}

	/** A service's progress report on moving the tenant (one id per phase). */
	private static void progress(UUID tenant, UUID change, String service, MovePhase phase, long changesApplied,
			Long lagMs) {
		TestEvents.publish(Topics.TENANT_REPLIES, EventTypes.TENANT_MOVE_PROGRESS, tenant,
				"progress-" + service + "-" + change + "-" + phase, new TenantMoveProgress(tenant, change, false,
						service, moveId(change, service, false), phase, changesApplied, lagMs));
	}

	/**
	 * A service's result of moving the tenant to {@code tier}: failed with
	 * {@code failure}, or succeeded if it is null. The same arguments give the same event
	 * id, as a redelivery would.
	 */
	private static void migrated(UUID tenant, UUID change, String service, boolean rollback, Tier tier,
			String failure) {
		boolean succeeded = failure == null;
		IsolationMode isolation = switch (tier) {
			case SHARED -> IsolationMode.ROW;
			case DEDICATED -> IsolationMode.SCHEMA;
			case ENTERPRISE -> IsolationMode.DATABASE;
		};
		TestEvents.publish(Topics.TENANT_REPLIES, EventTypes.TENANT_MIGRATED, tenant,
				"migrated-" + service + "-" + change + "-" + rollback,
				new TenantMigrated(tenant, change, rollback, service, moveId(change, service, rollback), succeeded,
						failure, tier, isolation, tier.name().toLowerCase(Locale.ROOT) + "-eu", "tierflow_" + service,
						"t_" + tenant.toString().replace("-", ""), rollback ? 3 : 2, 1000,
						succeeded ? Map.of("runs", new TenantMigrated.Checksum(1000, CHECKSUM_SUM)) : Map.of(),
						succeeded ? 31L : null));
	}

	private static UUID moveId(UUID change, String service, boolean rollback) {
		return UUID.nameUUIDFromBytes((change + "/" + service + "/" + rollback).getBytes(StandardCharsets.UTF_8));
	}

	/** A service's erase report: the same every time it answers. */
	private static void erased(UUID tenant, String service, String eventId) {
		TestEvents.publish(Topics.TENANT_REPLIES, EventTypes.TENANT_ERASED, tenant, eventId,
				new TenantErased(tenant, service, Tier.DEDICATED, IsolationMode.SCHEMA, "dedicated-eu",
						"SCHEMA dedicated-eu/tierflow_" + service + "/t_" + tenant.toString().replace("-", ""),
						Map.of("runs", 10L, "inbox", 3L), Map.of("blobs", service.equals("file") ? 2L : 0L),
						service.equals("billing") ? Map.of("invoices", 1L) : Map.of(),
						OffsetDateTime.parse("2026-12-06T10:15:30Z")));
	}

	/** The tenant's rows in tenant-service's tables that an erase empties. */
	private Map<String, Long> rowsOf(UUID tenant) {
		Map<String, Long> rows = new java.util.LinkedHashMap<>();
		for (String table : List.of("tenant_user", "notification", "tier_change", "inbox", "outbox", "tenant_client",
				"password_token")) {
			rows.put(table,
					this.jdbc.sql("select count(*) from " + table + " where tenant_id = ?")
						.param(tenant)
						.query(Long.class)
						.single());
		}
		return rows;
	}

	private Counter dropped() {
		return this.meters.get("tierflow.events.dropped").tag("reason", "tenant_erased").counter();
	}

	/** The id of the user a creation answered with. */
	private static String userId(Response created) {
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return JSON.readTree(created.body()).get("id").asString();
	}

	/** The notifications addressed to the recipient in the tenant, read or not. */
	private int notifications(UUID tenant, String recipient) {
		return this.jdbc.sql("select count(*) from notification where tenant_id = ? and recipient = ?")
			.params(tenant, recipient)
			.query(Integer.class)
			.single();
	}

	private Response patch(String path, String token, String json) {
		try {
			HttpResponse<String> r = HTTP
				.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
					.header("Authorization", "Bearer " + token)
					.header("Content-Type", "application/json")
					.method("PATCH", HttpRequest.BodyPublishers.ofString(json))
					.build(), HttpResponse.BodyHandlers.ofString());
			return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static String newUser(String name) {
		return "{\"email\":\"" + name + "-" + shortId() + "@example.com\",\"name\":\"" + name + "\",\"role\":\"USER\"}";
	}

	private static String shortId() {
		return UUID.randomUUID().toString().substring(0, 8);
	}

	private static void assertProblem(Response response, int status) {
		assertThat(response.status()).as(response.body()).isEqualTo(status);
		assertThat(response.isProblem()).as(response.contentType()).isTrue();
	}

	/** An export of the tenant, every service's part written and answered. */
	private UUID completedExport(UUID tenant) throws IOException {
		Response requested = this.api.post("/api/v1/tenants/" + tenant + "/exports", this.admin, "");
		assertThat(requested.status()).as(requested.body()).isEqualTo(202);
		UUID exportId = UUID.fromString(JSON.readTree(requested.body()).get("id").asString());
		Map<String, byte[]> parts = writeParts(exportId, tenant);
		for (String service : SERVICES) {
			exported(tenant, exportId, service, parts.get(service).length, null);
		}
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(export(tenant, exportId).get("status").asString()).isEqualTo("COMPLETED"));
		return exportId;
	}

	/** Every service's part of the export, as the services would have written them. */
	private static Map<String, byte[]> parts(UUID exportId, UUID tenant) {
		Map<String, byte[]> parts = new LinkedHashMap<>();
		for (String service : SERVICES) {
			parts.put(service, part(tenant, exportId, service, false));
		}
		return parts;
	}

	/** Writes every service's part of the export where the services write them. */
	private static Map<String, byte[]> writeParts(UUID exportId, UUID tenant) throws IOException {
		Map<String, byte[]> parts = parts(exportId, tenant);
		Path dir = Files.createDirectories(ARCHIVES.resolve(exportId.toString()));
		for (Map.Entry<String, byte[]> part : parts.entrySet()) {
			Files.write(dir.resolve(part.getKey() + ".zip"), part.getValue());
		}
		return parts;
	}

	/**
	 * A service's part in the services' format ({@code tierflow-archive/1}): a table of
	 * two rows, a blob in file-service, the manifest last. With {@code alter}, one row
	 * differs from the one the manifest's SHA-256 was taken of.
	 */
	private static byte[] part(UUID tenant, UUID archive, String service, boolean alter) {
		byte[] rows = (tenant + "\t1\t" + service + " first\n" + tenant + "\t2\t" + service + " second\n")
			.getBytes(StandardCharsets.UTF_8);
		byte[] written = alter ? (tenant + "\t1\t" + service + " first\n" + tenant + "\t2\t" + service + " SECOND\n")
			.getBytes(StandardCharsets.UTF_8) : rows;
		byte[] blob = ("the contents of a file of " + tenant).getBytes(StandardCharsets.UTF_8);
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
			zipEntry(zip, "tables/runs.copy", written);
			List<Map<String, Object>> entries = new ArrayList<>();
			if (service.equals("file")) {
				zipEntry(zip, "blobs/b1", blob);
				entries.add(Map.of("name", "blobs/b1", "sha256", sha256(blob), "bytes", blob.length));
			}
			Map<String, Object> manifest = new LinkedHashMap<>();
			manifest.put("format", "tierflow-archive/1");
			manifest.put("service", service);
			manifest.put("tenantId", tenant.toString());
			manifest.put("archiveId", archive.toString());
			manifest.put("exportedAt", "2026-12-06T10:15:30Z");
			manifest.put("schemaVersion", "3");
			manifest.put("tables",
					List.of(Map.of("name", "runs", "columns", List.of("tenant_id", "id", "note"), "rows", 2, "checksum",
							CHECKSUM_SUM, "file", "tables/runs.copy", "sha256", sha256(rows), "bytes", rows.length)));
			manifest.put("entries", entries);
			zipEntry(zip, "manifest.json", JSON.writeValueAsBytes(manifest));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	/**
	 * A downloadable export ({@code tierflow-export/1}) of the given parts, its manifest
	 * describing {@code described} (the parts themselves when null).
	 */
	private static byte[] exportArchive(UUID tenant, UUID exportId, Map<String, byte[]> parts,
			Map<String, byte[]> described) {
		Map<String, Object> services = new LinkedHashMap<>();
		(described != null ? described : parts).forEach((service, bytes) -> services.put(service,
				Map.of("file", service + ".zip", "schemaVersion", "3", "sha256", sha256(bytes), "size", bytes.length)));
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
			zipEntry(zip, "manifest.json", JSON.writeValueAsBytes(Map.of("format", "tierflow-export/1", "exportId",
					exportId.toString(), "tenantId", tenant.toString(), "services", services)));
			for (Map.Entry<String, byte[]> part : parts.entrySet()) {
				zipEntry(zip, part.getKey() + ".zip", part.getValue());
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	private static void zipEntry(ZipOutputStream zip, String name, byte[] content) throws IOException {
		zip.putNextEntry(new ZipEntry(name));
		zip.write(content);
		zip.closeEntry();
	}

	/** The entries of a ZIP file, in their order. */
	private static List<Map.Entry<String, byte[]>> unzip(byte[] archive) throws IOException {
		List<Map.Entry<String, byte[]>> entries = new ArrayList<>();
		try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(archive))) {
			for (ZipEntry entry; (entry = in.getNextEntry()) != null;) {
				entries.add(Map.entry(entry.getName(), in.readAllBytes()));
			}
		}
		return entries;
	}

	private static String sha256(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void exportProgress(UUID tenant, UUID exportId, String service, long rows, long bytes) {
		TestEvents.publish(Topics.TENANT_REPLIES, EventTypes.TENANT_EXPORT_PROGRESS, tenant,
				"export-progress-" + service + "-" + exportId + "-" + rows,
				new TenantExportProgress(tenant, exportId, service, rows, bytes));
	}

	/**
	 * A service's part of an export, written ({@code failure} null) or failed. The same
	 * arguments give the same event id, as a redelivery would.
	 */
	private static void exported(UUID tenant, UUID exportId, String service, long bytes, String failure) {
		boolean succeeded = failure == null;
		TestEvents.publish(Topics.TENANT_REPLIES, EventTypes.TENANT_EXPORTED, tenant,
				"exported-" + service + "-" + exportId,
				new TenantExported(tenant, exportId, service, succeeded, failure, succeeded ? "3" : null,
						succeeded ? Map.of("runs", new TenantMigrated.Checksum(2, CHECKSUM_SUM)) : Map.of(),
						succeeded ? 2 : 0, bytes));
	}

	/**
	 * A service's part of an import, loaded and verified ({@code failure} null) or
	 * refused.
	 */
	private static void imported(UUID tenant, UUID importId, String service, String failure, String table) {
		boolean succeeded = failure == null;
		TestEvents.publish(Topics.TENANT_REPLIES, EventTypes.TENANT_IMPORTED, tenant,
				"imported-" + service + "-" + importId,
				new TenantImported(tenant, importId, service, succeeded, failure, table, Tier.ENTERPRISE,
						succeeded ? IsolationMode.DATABASE : null, succeeded ? "enterprise-eu" : null,
						succeeded ? Map.of("runs", new TenantMigrated.Checksum(2, CHECKSUM_SUM)) : Map.of(),
						succeeded ? 2 : 0));
	}

	private JsonNode export(UUID tenant, UUID exportId) {
		Response r = this.api.get("/api/v1/tenants/" + tenant + "/exports/" + exportId, this.admin);
		assertThat(r.status()).as(r.body()).isEqualTo(200);
		return JSON.readTree(r.body());
	}

	private JsonNode exportPart(UUID tenant, UUID exportId, String service) {
		return export(tenant, exportId).get("services")
			.valueStream()
			.filter((p) -> p.get("service").asString().equals(service))
			.findFirst()
			.orElseThrow();
	}

	private JsonNode importJob(UUID importId) {
		Response r = this.api.get("/api/v1/tenants/imports/" + importId, this.admin);
		assertThat(r.status()).as(r.body()).isEqualTo(200);
		return JSON.readTree(r.body());
	}

	private HttpResponse<byte[]> download(UUID tenant, UUID exportId, String token) {
		return send(HttpRequest
			.newBuilder(URI.create("http://localhost:" + this.port + "/api/v1/tenants/" + tenant + "/exports/"
					+ exportId + "/archive"))
			.header("Authorization", "Bearer " + token)
			.GET()
			.build(), HttpResponse.BodyHandlers.ofByteArray());
	}

	private HttpResponse<String> postJson(String path, String json) {
		return send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.header("Authorization", "Bearer " + this.admin)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * A multipart/form-data import: the archive in the part {@code archive}, and the
	 * fields.
	 */
	private HttpResponse<String> upload(byte[] archive, Map<String, String> fields, String token) {
		String boundary = "tierflow-" + UUID.randomUUID();
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		fields.forEach((name, value) -> body.writeBytes(
				("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n")
					.getBytes(StandardCharsets.UTF_8)));
		body.writeBytes(
				("--" + boundary + "\r\nContent-Disposition: form-data; name=\"archive\"; filename=\"export.zip\"\r\n"
						+ "Content-Type: application/zip\r\n\r\n")
					.getBytes(StandardCharsets.UTF_8));
		body.writeBytes(archive);
		body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
		return send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/api/v1/tenants/imports"))
			.header("Authorization", "Bearer " + token)
			.header("Content-Type", "multipart/form-data; boundary=" + boundary)
			.POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** The problem of a refused archive: 422, with the service and table properties. */
	private static JsonNode refused(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
		assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
		JsonNode problem = JSON.readTree(response.body());
		assertThat(problem.has("service")).isTrue();
		assertThat(problem.has("table")).isTrue();
		return problem;
	}

	private static <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
		try {
			return HTTP.send(request, handler);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** What is in the import area, where uploads are received and checked. */
	private static List<Path> importArea() throws IOException {
		Path area = ARCHIVES.resolve("imports");
		if (!Files.isDirectory(area)) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(area)) {
			return files.toList();
		}
	}

	/** The archives in the archive directory. */
	private static List<Path> archiveDirectories() throws IOException {
		try (Stream<Path> files = Files.list(ARCHIVES)) {
			return files.filter((f) -> !f.getFileName().toString().equals("imports")).toList();
		}
	}

}
