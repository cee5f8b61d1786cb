package io.tierflow.devstack;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.simulation.SimulationCompleted;
import io.tierflow.servicetest.TestEvents;
import io.tierflow.testsupport.TenantTraces;
import io.tierflow.testsupport.TestKafka;
import io.tierflow.testsupport.TestPostgres;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The tenant sagas across all five services, each its own process, on real Kafka and
 * PostgreSQL. Provisioning: a tenant created in tenant-service is placed by every
 * tenant-data service on the isolation its tier asks for, becomes ACTIVE, and is served
 * by each of them. Tier changes: every service moves the tenant live and the plan
 * changes; when one service cannot, the ones that moved move back and the tenant keeps
 * its tier.
 */
class TenantSagasIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Map<String, String> RESOURCES = Map.of("simulation", "/api/v1/models", "file",
			"/api/v1/folders", "billing", "/api/v1/meters", "analytics", "/api/v1/dashboards");

	private static final Map<String, String> BODIES = Map.of("simulation", "{\"name\":\"m1\"}", "file",
			"{\"name\":\"f1\"}", "billing", "{\"key\":\"iterations\",\"unit\":\"count\"}", "analytics",
			"{\"name\":\"d1\"}");

	private static Devstack stack;

	private final HttpClient http = HttpClient.newHttpClient();

	@BeforeAll
	static void startSuite() throws Exception {
		stack = SuiteUnderTest.stack();
	}

	@Test
	void tenantsOfEveryTierArePlacedEverywhereAndServed() throws Exception {
		String admin = devToken("{\"subject\":\"it\",\"roles\":[\"SYSTEM_ADMIN\"]}");
		Map<String, String> expectedIsolation = Map.of("STANDARD", "ROW", "PROFESSIONAL", "SCHEMA", "ENTERPRISE",
				"DATABASE");
		Map<String, UUID> tenants = new java.util.HashMap<>();
		for (String plan : expectedIsolation.keySet()) {
			String slug = plan.toLowerCase() + "-" + UUID.randomUUID().toString().substring(0, 6);
			JsonNode created = JSON.readTree(call("POST", stack.url("tenant") + "/api/v1/tenants", admin,
					"{\"name\":\"" + slug + "\",\"slug\":\"" + slug + "\",\"plan\":\"" + plan + "\",\"region\":\"eu\"}")
				.body());
			tenants.put(plan, UUID.fromString(created.get("id").asString()));
		}
		for (Map.Entry<String, UUID> tenant : tenants.entrySet()) {
			await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
				JsonNode t = JSON.readTree(
						call("GET", stack.url("tenant") + "/api/v1/tenants/" + tenant.getValue(), admin, null).body());
				assertThat(t.get("status").asString()).as(t.toString()).isEqualTo("ACTIVE");
			});
			JsonNode t = JSON.readTree(
					call("GET", stack.url("tenant") + "/api/v1/tenants/" + tenant.getValue(), admin, null).body());
			assertThat(t.get("placements")).hasSize(4);
			for (JsonNode placement : t.get("placements")) {
				assertThat(placement.get("state").asString()).isEqualTo("READY");
				assertThat(placement.get("isolation").asString()).isEqualTo(expectedIsolation.get(tenant.getKey()));
			}
		}
		// Every service serves every tenant, and never one tenant's rows to another.
		UUID shared = tenants.get("STANDARD");
		UUID enterprise = tenants.get("ENTERPRISE");
		String sharedUser = devToken(
				"{\"subject\":\"u1\",\"tenantId\":\"" + shared + "\",\"roles\":[\"TENANT_ADMIN\"]}");
		String enterpriseUser = devToken(
				"{\"subject\":\"u2\",\"tenantId\":\"" + enterprise + "\",\"roles\":[\"TENANT_ADMIN\"]}");
		for (String service : RESOURCES.keySet()) {
			String url = stack.url(service) + RESOURCES.get(service);
			HttpResponse<String> created = call("POST", url, sharedUser, BODIES.get(service));
			assertThat(created.statusCode()).as(service + ": " + created.body()).isEqualTo(201);
			String id = JSON.readTree(created.body()).get("id").asString();
			assertThat(call("GET", url + "/" + id, sharedUser, null).statusCode()).isEqualTo(200);
			assertThat(call("GET", url + "/" + id, enterpriseUser, null).statusCode()).isEqualTo(404);
			assertThat(call("GET", url, enterpriseUser, null).body()).doesNotContain(id);
			// The same through the gateway, the public entry.
			String viaGateway = stack.url(Devstack.GATEWAY) + RESOURCES.get(service) + "/" + id;
			HttpResponse<String> routed = call("GET", viaGateway, sharedUser, null);
			assertThat(routed.statusCode()).as(service + " via the gateway: " + routed.body()).isEqualTo(200);
			assertThat(routed.headers().firstValue("RateLimit-Limit")).isPresent();
			assertThat(call("GET", viaGateway, enterpriseUser, null).statusCode()).isEqualTo(404);
			assertThat(call("GET", viaGateway, null, null).statusCode()).isEqualTo(401);
		}
	}

	/**
	 * The trace of the request that creates a tenant runs through tenant-service's
	 * outbox, the tenant.created record, each service's provisioning (its span, its
	 * logs), its reply in its outbox and on Kafka, and tenant-service's handling of the
	 * replies. Every service's log is JSON, with the trace and the tenant on its lines.
	 */
	@Test
	void oneTraceRunsFromTenantCreationThroughEveryProvisioningReplyAndTheLogs() throws Exception {
		String admin = devToken("{\"subject\":\"it\",\"roles\":[\"SYSTEM_ADMIN\"]}");
		String traceId = UUID.randomUUID().toString().replace("-", "");
		String parentId = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
		String slug = "traced-" + UUID.randomUUID().toString().substring(0, 6);
		Map<String, String> replies = new ConcurrentHashMap<>();
		try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
				TestKafka.get()
					.clientConfig(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID(),
							ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")),
				new StringDeserializer(), new ByteArrayDeserializer())) {
			consumer.subscribe(List.of(Topics.TENANT_REPLIES));
			HttpResponse<String> created = this.http
				.send(HttpRequest.newBuilder(URI.create(stack.url("tenant") + "/api/v1/tenants"))
					.timeout(Duration.ofSeconds(30))
					.header("Authorization", "Bearer " + admin)
					.header("Content-Type", "application/json")
					// As a caller already in a trace would: W3C trace context.
					.header("traceparent", "00-" + traceId + "-" + parentId + "-01")
					.POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + slug + "\",\"slug\":\"" + slug
							+ "\",\"plan\":\"PROFESSIONAL\",\"region\":\"eu\"}"))
					.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
			UUID tenant = UUID.fromString(JSON.readTree(created.body()).get("id").asString());
			await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
				for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
					if (tenant.toString().equals(header(record, "ce_tenantid"))
							&& EventTypes.TENANT_PROVISIONED.equals(header(record, "ce_type"))) {
						replies.put(header(record, "ce_subject"), String.valueOf(header(record, "traceparent")));
					}
				}
				assertThat(replies.keySet()).containsExactlyInAnyOrderElementsOf(Devstack.TENANT_DATA_SERVICES);
			});
			assertThat(replies.values()).as("the four replies' traceparent")
				.allSatisfy((traceparent) -> assertThat(traceparent).matches("00-" + traceId + "-[0-9a-f]{16}-01"));
			await().atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(500))
				.untilAsserted(() -> assertThat(tenant(admin, tenant).get("status").asString()).isEqualTo("ACTIVE"));

			// Each service logged its part in the trace as JSON, with the tenant: the
			// provisioning in the four, the tenant turning ACTIVE in tenant-service.
			for (String service : Devstack.SERVICES) {
				Path log = Path.of("target/devstack-it/logs", service + "-service.log");
				// A line being written is not JSON yet: read again.
				await().atMost(Duration.ofSeconds(30))
					.pollInterval(Duration.ofMillis(500))
					.ignoreExceptions()
					.untilAsserted(() -> {
						List<JsonNode> traced = Files.readAllLines(log)
							.stream()
							.filter((line) -> line.contains(traceId))
							.map(JSON::readTree)
							.toList();
						assertThat(traced).as(service).isNotEmpty();
						assertThat(traced).as(service)
							.anySatisfy((line) -> assertThat(field(line, "tenant")).isEqualTo(tenant.toString()));
						assertThat(traced).as(service)
							.allSatisfy(
									(line) -> assertThat(field(line, "service.name")).isEqualTo(service + "-service"));
					});
			}
		}
	}

	/** A field of a JSON log line, whether its dotted name is nested or flat. */
	private static String field(JsonNode line, String name) {
		JsonNode flat = line.get(name);
		if (flat != null) {
			return flat.asString();
		}
		JsonNode node = line;
		for (String part : name.split("\\.")) {
			node = node.path(part);
		}
		return node.isMissingNode() ? null : node.asString();
	}

	private static String header(ConsumerRecord<?, ?> record, String name) {
		Header header = record.headers().lastHeader(name);
		return (header != null) ? new String(header.value(), StandardCharsets.UTF_8) : null;
	}

	@Test
	void aMachineClientsTokenFromTheAuthorizationServerWorksInSimulationService() throws Exception {
		String admin = devToken("{\"subject\":\"it\",\"roles\":[\"SYSTEM_ADMIN\"]}");
		String slug = "machine-" + UUID.randomUUID().toString().substring(0, 6);
		UUID tenant = UUID.fromString(JSON.readTree(call("POST", stack.url("tenant") + "/api/v1/tenants", admin,
				"{\"name\":\"" + slug + "\",\"slug\":\"" + slug + "\",\"plan\":\"STANDARD\",\"region\":\"eu\"}")
			.body()).get("id").asString());
		await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
			JsonNode t = JSON
				.readTree(call("GET", stack.url("tenant") + "/api/v1/tenants/" + tenant, admin, null).body());
			assertThat(t.get("status").asString()).as(t.toString()).isEqualTo("ACTIVE");
		});
		String tenantAdmin = devToken(
				"{\"subject\":\"boss\",\"tenantId\":\"" + tenant + "\",\"roles\":[\"TENANT_ADMIN\"]}");
		HttpResponse<String> created = call("POST", stack.url("tenant") + "/api/v1/tenants/" + tenant + "/clients",
				tenantAdmin, "{\"name\":\"nightly\",\"roles\":[\"USER\"]}");
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		JsonNode client = JSON.readTree(created.body());
		String basic = java.util.Base64.getEncoder()
			.encodeToString(
					(client.get("client").get("clientId").asString() + ":" + client.get("clientSecret").asString())
						.getBytes(java.nio.charset.StandardCharsets.UTF_8));
		// As a machine would: client credentials at the token endpoint, through the
		// gateway.
		HttpResponse<String> issued = this.http
			.send(HttpRequest.newBuilder(URI.create(stack.url(Devstack.GATEWAY) + "/oauth2/token"))
				.header("Authorization", "Basic " + basic)
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(issued.statusCode()).as(issued.body()).isEqualTo(200);
		String token = JSON.readTree(issued.body()).get("access_token").asString();

		HttpResponse<String> model = call("POST", stack.url("simulation") + "/api/v1/models", token,
				"{\"name\":\"from a machine\"}");
		assertThat(model.statusCode()).as(model.body()).isEqualTo(201);
		String id = JSON.readTree(model.body()).get("id").asString();
		assertThat(call("GET", stack.url(Devstack.GATEWAY) + "/api/v1/models/" + id, token, null).statusCode())
			.isEqualTo(200);
		// Its roles hold there too: a USER client manages no users.
		assertThat(call("POST", stack.url("tenant") + "/api/v1/tenants/" + tenant + "/users", token,
				"{\"email\":\"x@example.com\",\"name\":\"X\",\"role\":\"USER\"}")
			.statusCode()).isEqualTo(403);
	}

	@Test
	void aTierChangeMovesTheTenantInEveryServiceLiveAndChangesItsPlan() throws Exception {
		String admin = devToken("{\"subject\":\"it\",\"roles\":[\"SYSTEM_ADMIN\"]}");
		UUID tenant = activeTenant(admin, "STANDARD");
		String user = devToken("{\"subject\":\"u3\",\"tenantId\":\"" + tenant + "\",\"roles\":[\"TENANT_ADMIN\"]}");
		Map<String, String> resources = createResources(user);

		HttpResponse<String> requested = call("POST",
				stack.url("tenant") + "/api/v1/tenants/" + tenant + "/tier-change", admin,
				"{\"plan\":\"PROFESSIONAL\"}");
		assertThat(requested.statusCode()).as(requested.body()).isEqualTo(202);
		JsonNode pending = JSON.readTree(requested.body()).get("pendingTierChange");
		assertThat(pending.get("moves")).hasSize(4);
		HttpResponse<String> second = call("POST", stack.url("tenant") + "/api/v1/tenants/" + tenant + "/tier-change",
				admin, "{\"plan\":\"ENTERPRISE\"}");
		assertThat(second.statusCode()).isEqualTo(409);
		assertThat(second.headers().firstValue("Content-Type").orElse("")).contains("problem+json");
		// The tenant is served all along.
		for (String service : RESOURCES.keySet()) {
			assertThat(
					call("GET", stack.url(service) + RESOURCES.get(service) + "/" + resources.get(service), user, null)
						.statusCode())
				.isEqualTo(200);
		}

		JsonNode changed = awaitChange(admin, tenant, "COMPLETED");
		for (JsonNode move : changed.get("moves")) {
			assertThat(move.get("status").asString()).as(move.toString()).isEqualTo("SUCCEEDED");
			assertThat(move.get("checksums").size()).as(move.toString()).isPositive();
		}
		JsonNode t = tenant(admin, tenant);
		assertThat(t.get("plan").asString()).isEqualTo("PROFESSIONAL");
		assertThat(t.get("tier").asString()).isEqualTo("DEDICATED");
		for (JsonNode placement : t.get("placements")) {
			assertThat(placement.get("isolation").asString()).as(placement.toString()).isEqualTo("SCHEMA");
			assertThat(placement.get("epoch").asLong()).isEqualTo(2);
		}
		// Everything written before the move is where the tenant now lives.
		for (String service : RESOURCES.keySet()) {
			String url = stack.url(service) + RESOURCES.get(service);
			assertThat(call("GET", url + "/" + resources.get(service), user, null).statusCode()).as(service)
				.isEqualTo(200);
			// A new write lands at the new placement (billing's meter keys are unique).
			String another = BODIES.get(service).replace("iterations", "storage").replace("1\"", "2\"");
			assertThat(call("POST", url, user, another).statusCode()).as(service).isEqualTo(201);
		}
	}

	@Test
	void whenOneServiceCannotMoveTheOthersMoveBackAndTheTenantKeepsItsPlacement() throws Exception {
		String admin = devToken("{\"subject\":\"it\",\"roles\":[\"SYSTEM_ADMIN\"]}");
		UUID tenant = activeTenant(admin, "STANDARD");
		String user = devToken("{\"subject\":\"u4\",\"tenantId\":\"" + tenant + "\",\"roles\":[\"TENANT_ADMIN\"]}");
		Map<String, String> resources = createResources(user);

		Map<String, String> clusters = new java.util.HashMap<>();
		tenant(admin, tenant).get("placements")
			.forEach((p) -> clusters.put(p.get("service").asString(), p.get("cluster").asString()));
		// Only analytics-service has another shared cluster to rebalance to.
		HttpResponse<String> requested = call("POST", stack.url("tenant") + "/api/v1/tenants/" + tenant + "/rebalance",
				admin, null);
		assertThat(requested.statusCode()).as(requested.body()).isEqualTo(202);

		JsonNode change = awaitChange(admin, tenant, "ROLLED_BACK");
		assertThat(change.get("reason").asString()).contains("simulation").contains("file").contains("billing");
		JsonNode analyticsBack = null;
		for (JsonNode move : change.get("moves")) {
			if (move.get("service").asString().equals("analytics")) {
				if (move.get("rollback").asBoolean()) {
					analyticsBack = move;
				}
				else {
					assertThat(move.get("status").asString()).isEqualTo("SUCCEEDED");
				}
			}
			else {
				assertThat(move.get("status").asString()).as(move.toString()).isEqualTo("FAILED");
			}
		}
		assertThat(analyticsBack).as(change.toString()).isNotNull();
		assertThat(analyticsBack.get("status").asString()).isEqualTo("SUCCEEDED");
		JsonNode t = tenant(admin, tenant);
		assertThat(t.get("plan").asString()).isEqualTo("STANDARD");
		// Every service has the tenant on the cluster it had before (analytics moved and
		// back).
		for (JsonNode placement : t.get("placements")) {
			assertThat(placement.get("cluster").asString()).as(placement.toString())
				.isEqualTo(clusters.get(placement.get("service").asString()));
		}
		assertThat(t.get("placements").findValues("epoch").stream().mapToLong(JsonNode::asLong).max().orElse(0))
			.isEqualTo(3);
		for (String service : RESOURCES.keySet()) {
			assertThat(
					call("GET", stack.url(service) + RESOURCES.get(service) + "/" + resources.get(service), user, null)
						.statusCode())
				.as(service)
				.isEqualTo(200);
		}
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "STANDARD", "PROFESSIONAL", "ENTERPRISE" })
	void usageFlowsFromEveryServiceToBillingAnalyticsAndTheUser(String plan) throws Exception {
		String admin = devToken("{\"subject\":\"it\",\"roles\":[\"SYSTEM_ADMIN\"]}");
		UUID tenant = activeTenant(admin, plan);
		// user.created → a welcome for the user, a user in the month's billing, and a
		// seat
		// (its per-user quota) in file-service and simulation-service.
		HttpResponse<String> created = call("POST", stack.url("tenant") + "/api/v1/tenants/" + tenant + "/users", admin,
				"{\"email\":\"ada@example.com\",\"name\":\"Ada\",\"role\":\"USER\"}");
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		String userId = JSON.readTree(created.body()).get("id").asString();
		String user = devToken("{\"subject\":\"" + userId + "\",\"tenantId\":\"" + tenant + "\",\"roles\":[\"USER\"]}");
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
			JsonNode storage = JSON.readTree(call("GET", stack.url("file") + "/api/v1/files/usage", user, null).body());
			assertThat(storage.get("seats").asInt()).as(storage.toString()).isEqualTo(1);
			JsonNode runs = JSON
				.readTree(call("GET", stack.url("simulation") + "/api/v1/runs/quota", user, null).body());
			assertThat(runs.get("seats").asInt()).as(runs.toString()).isEqualTo(1);
		});

		// A model kept as a file in file-service, read by simulation-service with the
		// user's
		// token; simulation.completed → billing's iterations, analytics' day, the user's
		// notification.
		byte[] definition = ("{\"inputs\":[{\"name\":\"units\",\"distribution\":"
				+ "{\"type\":\"normal\",\"mean\":1000,\"sd\":100}},{\"name\":\"price\",\"distribution\":"
				+ "{\"type\":\"triangular\",\"min\":8,\"mode\":10,\"max\":13}}],"
				+ "\"outputs\":[{\"name\":\"revenue\",\"expression\":\"units * price\"}]}")
			.getBytes(java.nio.charset.StandardCharsets.UTF_8);
		HttpResponse<String> stored = upload(user, "profit.json", definition);
		assertThat(stored.statusCode()).as(stored.body()).isEqualTo(201);
		String fileId = JSON.readTree(stored.body()).get("id").asString();
		assertThat(call("POST", stack.url("simulation") + "/api/v1/models/from-file", user,
				"{\"name\":\"nothing\",\"fileId\":\"" + UUID.randomUUID() + "\"}")
			.statusCode()).isEqualTo(404);
		HttpResponse<String> model = call("POST", stack.url("simulation") + "/api/v1/models/from-file", user,
				"{\"name\":\"profit\",\"fileId\":\"" + fileId + "\"}");
		assertThat(model.statusCode()).as(model.body()).isEqualTo(201);
		String modelId = JSON.readTree(model.body()).get("id").asString();
		HttpResponse<String> run = call("POST", stack.url("simulation") + "/api/v1/models/" + modelId + "/runs", user,
				"{\"iterations\":100000,\"seed\":42}");
		assertThat(run.statusCode()).as(run.body()).isEqualTo(202);
		String runId = JSON.readTree(run.body()).get("id").asString();
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
			JsonNode r = JSON
				.readTree(call("GET", stack.url("simulation") + "/api/v1/runs/" + runId, user, null).body());
			assertThat(r.get("status").asString()).as(r.toString()).isEqualTo("COMPLETED");
		});

		// file.uploaded → the storage quota's usage, billing's storage, analytics' bytes.
		byte[] content = new byte[300_000];
		new java.util.Random(7).nextBytes(content);
		HttpResponse<String> uploaded = upload(user, "data.bin", content);
		assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
		JsonNode quota = JSON.readTree(call("GET", stack.url("file") + "/api/v1/files/usage", user, null).body());
		long bytes = definition.length + content.length;
		assertThat(quota.get("bytes").asLong()).isEqualTo(bytes);

		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
			JsonNode billing = JSON
				.readTree(call("GET", stack.url("billing") + "/api/v1/usage/current", user, null).body());
			assertThat(billing.get("iterations").asLong()).as(billing.toString()).isEqualTo(100_000);
			assertThat(billing.get("storageBytes").asLong()).isEqualTo(bytes);
			assertThat(billing.get("users").asLong()).isEqualTo(1);
		});
		String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
			JsonNode day = JSON
				.readTree(call("GET", stack.url("analytics") + "/api/v1/analytics/daily?from=" + today + "&to=" + today,
						user, null)
					.body())
				.get("total");
			assertThat(day.get("runsStarted").asLong()).as(day.toString()).isEqualTo(1);
			assertThat(day.get("runsCompleted").asLong()).isEqualTo(1);
			assertThat(day.get("iterations").asLong()).isEqualTo(100_000);
			assertThat(day.get("bytesUploaded").asLong()).isEqualTo(bytes);
			assertThat(day.get("usersCreated").asLong()).isEqualTo(1);
		});
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
			JsonNode notes = JSON
				.readTree(call("GET", stack.url("tenant") + "/api/v1/notifications", user, null).body())
				.get("items");
			assertThat(notes.findValuesAsString("kind")).as(notes.toString())
				.containsExactlyInAnyOrder("PASSWORD_INVITATION", "WELCOME", "SIMULATION_COMPLETED");
		});
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "STANDARD", "PROFESSIONAL", "ENTERPRISE" })
	void aDeletedTenantIsErasedInEveryServiceAndNothingOfItIsLeftButItsTombstoneAndInvoices(String plan)
			throws Exception {
		String admin = devToken("{\"subject\":\"it\",\"roles\":[\"SYSTEM_ADMIN\"]}");
		UUID tenant = activeTenant(admin, plan);
		UUID neighbour = activeTenant(admin, plan);
		String user = busyUser(admin, tenant);
		String neighbourUser = devToken(
				"{\"subject\":\"n1\",\"tenantId\":\"" + neighbour + "\",\"roles\":[\"TENANT_ADMIN\"]}");
		Map<String, String> neighbourResources = createResources(neighbourUser);
		Map<String, String> neighbourBefore = settledRowChecksums(admin, neighbour);

		HttpResponse<String> deleted = call("DELETE",
				stack.url("tenant") + "/api/v1/tenants/" + tenant + "?immediate=true", admin, null);
		assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(202);
		await().atMost(Duration.ofMinutes(3))
			.pollInterval(Duration.ofMillis(500))
			.untilAsserted(() -> assertThat(tenant(admin, tenant).get("status").asString()).isEqualTo("ERASED"));

		JsonNode certificate = JSON
			.readTree(call("GET", stack.url("tenant") + "/api/v1/tenants/" + tenant + "/erasure", admin, null).body());
		assertThat(certificate.get("services")).as(certificate.toString()).hasSize(4);
		for (JsonNode service : certificate.get("services")) {
			JsonNode report = service.get("report");
			assertThat(service.get("state").asString()).as(service.toString()).isEqualTo("ERASED");
			assertThat(report.get("rowsDeleted").size()).as(service.toString()).isPositive();
			assertThat(report.get("isolation").asString())
				.isEqualTo(Map.of("STANDARD", "ROW", "PROFESSIONAL", "SCHEMA", "ENTERPRISE", "DATABASE").get(plan));
			switch (service.get("service").asString()) {
				case "file" -> assertThat(report.get("removed").get("blobs").asLong()).isEqualTo(1);
				case "billing" -> assertThat(report.get("kept").get("invoices").asLong()).isPositive();
				default -> {
				}
			}
		}
		assertOnlyTombstoneAndInvoicesLeft(tenant);
		assertThat(TenantTraces.inFiles(stack.blobs(), tenant)).isEmpty();
		assertThat(rowChecksums(admin, neighbour)).isEqualTo(neighbourBefore);

		// Its tokens are refused everywhere, as problems; its neighbour is served as
		// before.
		for (String service : RESOURCES.keySet()) {
			HttpResponse<String> refused = call("GET", stack.url(service) + RESOURCES.get(service), user, null);
			assertThat(refused.statusCode()).as(service + ": " + refused.body()).isBetween(400, 499);
			assertThat(refused.headers().firstValue("Content-Type").orElse("")).contains("problem+json");
			assertThat(call("GET", stack.url(service) + RESOURCES.get(service) + "/" + neighbourResources.get(service),
					neighbourUser, null)
				.statusCode()).as(service).isEqualTo(200);
		}

		// A usage event that arrives late is dropped: not parked, not billed, nothing
		// created again. (Counted before it is sent: billing may drop it at once.)
		double before = dropped(admin);
		TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, tenant, UUID.randomUUID().toString(),
				new SimulationCompleted(tenant, UUID.randomUUID(), UUID.randomUUID(), 5_000, 10, 10, "late",
						java.time.OffsetDateTime.now()));
		await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(500))
			.untilAsserted(() -> assertThat(dropped(admin)).isGreaterThan(before));
		assertOnlyTombstoneAndInvoicesLeft(tenant);
	}

	@Test
	void aDeletionWaitsForItsGracePeriodAndCanBeRestored() throws Exception {
		String admin = devToken("{\"subject\":\"it\",\"roles\":[\"SYSTEM_ADMIN\"]}");
		UUID tenant = activeTenant(admin, "STANDARD");
		String user = devToken("{\"subject\":\"g1\",\"tenantId\":\"" + tenant + "\",\"roles\":[\"TENANT_ADMIN\"]}");
		Map<String, String> resources = createResources(user);

		HttpResponse<String> deleted = call("DELETE", stack.url("tenant") + "/api/v1/tenants/" + tenant, admin, null);
		assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(202);
		assertThat(JSON.readTree(deleted.body()).get("status").asString()).isEqualTo("PENDING_ERASE");
		HttpResponse<String> again = call("DELETE", stack.url("tenant") + "/api/v1/tenants/" + tenant, admin, null);
		assertThat(again.statusCode()).isEqualTo(409);
		HttpResponse<String> newUser = call("POST", stack.url("tenant") + "/api/v1/tenants/" + tenant + "/users", admin,
				"{\"email\":\"late@example.com\",\"name\":\"Late\",\"role\":\"USER\"}");
		assertThat(newUser.statusCode()).as(newUser.body()).isEqualTo(409);
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
			for (String service : RESOURCES.keySet()) {
				HttpResponse<String> refused = call("POST", stack.url(service) + RESOURCES.get(service), user,
						BODIES.get(service).replace("1\"", "9\""));
				assertThat(refused.statusCode()).as(service + ": " + refused.body()).isEqualTo(403);
			}
		});

		HttpResponse<String> restored = call("POST",
				stack.url("tenant") + "/api/v1/tenants/" + tenant + "/restore-deletion", admin, null);
		assertThat(restored.statusCode()).as(restored.body()).isEqualTo(200);
		assertThat(JSON.readTree(restored.body()).get("status").asString()).isEqualTo("ACTIVE");
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
			for (String service : RESOURCES.keySet()) {
				assertThat(call("GET", stack.url(service) + RESOURCES.get(service) + "/" + resources.get(service), user,
						null)
					.statusCode()).as(service).isEqualTo(200);
			}
		});
	}

	@Test
	void aTenantExportedFromSharedTablesIsImportedAsEnterpriseAndBackAndWorks() throws Exception {
		String admin = devToken("{\"subject\":\"it\",\"roles\":[\"SYSTEM_ADMIN\"]}");
		UUID a = activeTenant(admin, "STANDARD");
		String user = busyUser(admin, a);
		byte[] data = new byte[250_000];
		new java.util.Random(12).nextBytes(data);
		assertThat(upload(user, "data.bin", data).statusCode()).isEqualTo(201);
		Map<String, String> files = fileDigests(user);
		assertThat(files).hasSize(2);

		// SHARED → ENTERPRISE, from the export's id.
		JsonNode exportA = export(admin, a);
		HttpResponse<String> imported = call("POST", stack.url("tenant") + "/api/v1/tenants/imports", admin,
				"{\"exportId\":\"" + exportA.get("id").asString() + "\",\"name\":\"Imported\",\"slug\":\"imp-"
						+ UUID.randomUUID().toString().substring(0, 6)
						+ "\",\"plan\":\"ENTERPRISE\",\"region\":\"eu\"}");
		assertThat(imported.statusCode()).as(imported.body()).isEqualTo(202);
		UUID b = UUID.fromString(JSON.readTree(imported.body()).get("id").asString());
		assertImportedWithTheExportsChecksums(admin, b, imported, exportA, "DATABASE");
		String userB = devToken("{\"subject\":\"ib\",\"tenantId\":\"" + b + "\",\"roles\":[\"USER\"]}");
		assertThat(fileDigests(userB)).isEqualTo(files);
		runsItsModel(userB);

		// ENTERPRISE → SHARED, from the downloaded archive.
		JsonNode exportB = export(admin, b);
		HttpResponse<byte[]> download = this.http.send(HttpRequest
			.newBuilder(URI.create(stack.url("tenant") + "/api/v1/tenants/" + b + "/exports/"
					+ exportB.get("id").asString() + "/archive"))
			.header("Authorization", "Bearer " + admin)
			.build(), HttpResponse.BodyHandlers.ofByteArray());
		assertThat(download.statusCode()).isEqualTo(200);
		byte[] archive = download.body();
		HttpResponse<String> back = uploadArchive(admin, archive, "STANDARD",
				"back-" + UUID.randomUUID().toString().substring(0, 6));
		assertThat(back.statusCode()).as(back.body()).isEqualTo(202);
		UUID c = UUID.fromString(JSON.readTree(back.body()).get("id").asString());
		assertImportedWithTheExportsChecksums(admin, c, back, exportB, "ROW");
		String userC = devToken("{\"subject\":\"ic\",\"tenantId\":\"" + c + "\",\"roles\":[\"USER\"]}");
		assertThat(fileDigests(userC)).isEqualTo(files);
		runsItsModel(userC);

		// A damaged archive: 422 naming the service, and no tenant made of it.
		byte[] damaged = archive.clone();
		damaged[damaged.length / 2] ^= 0x5a;
		String slug = "bad-" + UUID.randomUUID().toString().substring(0, 6);
		HttpResponse<String> refused = uploadArchive(admin, damaged, "STANDARD", slug);
		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
		assertThat(refused.headers().firstValue("Content-Type").orElse("")).contains("problem+json");
		assertThat(JSON.readTree(refused.body()).get("service").isNull()).as(refused.body()).isFalse();
		JsonNode all = JSON.readTree(call("GET", stack.url("tenant") + "/api/v1/tenants?size=200", admin, null).body())
			.get("items");
		assertThat(all.findValuesAsString("slug")).doesNotContain(slug);
	}

	/** Starts an export of the tenant and waits until every service wrote its part. */
	private JsonNode export(String admin, UUID tenant) throws Exception {
		HttpResponse<String> started = call("POST", stack.url("tenant") + "/api/v1/tenants/" + tenant + "/exports",
				admin, null);
		assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
		String id = JSON.readTree(started.body()).get("id").asString();
		JsonNode[] job = new JsonNode[1];
		await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
			job[0] = JSON
				.readTree(call("GET", stack.url("tenant") + "/api/v1/tenants/" + tenant + "/exports/" + id, admin, null)
					.body());
			assertThat(job[0].get("status").asString()).as(job[0].toString()).isEqualTo("COMPLETED");
		});
		assertThat(job[0].get("services")).hasSize(4);
		for (JsonNode part : job[0].get("services")) {
			assertThat(part.get("rowsWritten").asLong()).as(part.toString()).isPositive();
		}
		return job[0];
	}

	/**
	 * The import turns the tenant ACTIVE on the isolation asked for, and every service
	 * loaded exactly the rows the export wrote: the same count and checksum per table.
	 */
	private void assertImportedWithTheExportsChecksums(String admin, UUID tenant, HttpResponse<String> accepted,
			JsonNode export, String isolation) throws Exception {
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(500))
			.untilAsserted(() -> assertThat(tenant(admin, tenant).get("status").asString()).isEqualTo("ACTIVE"));
		for (JsonNode p : tenant(admin, tenant).get("placements")) {
			assertThat(p.get("isolation").asString()).as(p.toString()).isEqualTo(isolation);
		}
		String location = accepted.headers().firstValue("Location").orElseThrow();
		JsonNode job = JSON.readTree(call("GET", stack.url("tenant") + location, admin, null).body());
		assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("COMPLETED");
		Map<String, JsonNode> exported = new java.util.HashMap<>();
		export.get("services").forEach((p) -> exported.put(p.get("service").asString(), p.get("tables")));
		for (JsonNode part : job.get("services")) {
			assertThat(part.get("tables")).as(part.get("service").asString())
				.isEqualTo(exported.get(part.get("service").asString()));
		}
	}

	/** The user's files, name to the SHA-256 of the bytes downloaded. */
	private Map<String, String> fileDigests(String user) throws Exception {
		Map<String, String> digests = new java.util.TreeMap<>();
		JsonNode items = JSON.readTree(call("GET", stack.url("file") + "/api/v1/files", user, null).body())
			.get("items");
		for (JsonNode f : items) {
			HttpResponse<byte[]> content = this.http.send(HttpRequest
				.newBuilder(URI.create(stack.url("file") + "/api/v1/files/" + f.get("id").asString() + "/content"))
				.header("Authorization", "Bearer " + user)
				.build(), HttpResponse.BodyHandlers.ofByteArray());
			assertThat(content.statusCode()).isEqualTo(200);
			digests.put(f.get("name").asString(), java.util.HexFormat.of()
				.formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content.body())));
		}
		return digests;
	}

	private void runsItsModel(String user) throws Exception {
		JsonNode models = JSON.readTree(call("GET", stack.url("simulation") + "/api/v1/models", user, null).body())
			.get("items");
		String model = null;
		for (JsonNode m : models) {
			if (m.get("name").asString().equals("m")) {
				model = m.get("id").asString();
			}
		}
		assertThat(model).as(models.toString()).isNotNull();
		HttpResponse<String> run = call("POST", stack.url("simulation") + "/api/v1/models/" + model + "/runs", user,
				"{\"iterations\":10000,\"seed\":3}");
		assertThat(run.statusCode()).as(run.body()).isEqualTo(202);
		String runId = JSON.readTree(run.body()).get("id").asString();
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
			JsonNode r = JSON
				.readTree(call("GET", stack.url("simulation") + "/api/v1/runs/" + runId, user, null).body());
			assertThat(r.get("status").asString()).as(r.toString()).isEqualTo("COMPLETED");
		});
	}

	private HttpResponse<String> uploadArchive(String admin, byte[] archive, String plan, String slug)
			throws Exception {
		String boundary = "tierflow-" + UUID.randomUUID();
		java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
		Map<String, String> fields = Map.of("name", "Uploaded " + slug, "slug", slug, "plan", plan, "region", "eu");
		for (Map.Entry<String, String> field : fields.entrySet()) {
			body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field.getKey()
					+ "\"\r\n\r\n" + field.getValue() + "\r\n")
				.getBytes(java.nio.charset.StandardCharsets.UTF_8));
		}
		body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"archive\";"
				+ " filename=\"export.zip\"\r\nContent-Type: application/zip\r\n\r\n")
			.getBytes(java.nio.charset.StandardCharsets.UTF_8));
		body.writeBytes(archive);
		body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
		HttpRequest request = HttpRequest.newBuilder(URI.create(stack.url("tenant") + "/api/v1/tenants/imports"))
			.timeout(Duration.ofSeconds(60))
			.header("Authorization", "Bearer " + admin)
			.header("Content-Type", "multipart/form-data; boundary=" + boundary)
			.POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * A user of the tenant with something in every service: seats, a model, a file (and
	 * its blob), a run, usage, analytics, notifications.
	 */
	private String busyUser(String admin, UUID tenant) throws Exception {
		HttpResponse<String> created = call("POST", stack.url("tenant") + "/api/v1/tenants/" + tenant + "/users", admin,
				"{\"email\":\"erase-me@example.com\",\"name\":\"Erin\",\"role\":\"USER\"}");
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		String userId = JSON.readTree(created.body()).get("id").asString();
		String user = devToken(
				"{\"subject\":\"" + userId + "\",\"tenantId\":\"" + tenant + "\",\"roles\":[\"TENANT_ADMIN\"]}");
		createResources(user);
		byte[] definition = ("{\"inputs\":[{\"name\":\"units\",\"distribution\":"
				+ "{\"type\":\"normal\",\"mean\":1000,\"sd\":100}}],"
				+ "\"outputs\":[{\"name\":\"revenue\",\"expression\":\"units * 2\"}]}")
			.getBytes(java.nio.charset.StandardCharsets.UTF_8);
		HttpResponse<String> stored = upload(user, "model.json", definition);
		assertThat(stored.statusCode()).as(stored.body()).isEqualTo(201);
		HttpResponse<String> model = call("POST", stack.url("simulation") + "/api/v1/models/from-file", user,
				"{\"name\":\"m\",\"fileId\":\"" + JSON.readTree(stored.body()).get("id").asString() + "\"}");
		assertThat(model.statusCode()).as(model.body()).isEqualTo(201);
		HttpResponse<String> run = call("POST", stack.url("simulation") + "/api/v1/models/"
				+ JSON.readTree(model.body()).get("id").asString() + "/runs", user,
				"{\"iterations\":10000,\"seed\":1}");
		assertThat(run.statusCode()).as(run.body()).isEqualTo(202);
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
			JsonNode billing = JSON
				.readTree(call("GET", stack.url("billing") + "/api/v1/usage/current", user, null).body());
			assertThat(billing.get("iterations").asLong()).as(billing.toString()).isEqualTo(10_000);
			JsonNode notes = JSON
				.readTree(call("GET", stack.url("tenant") + "/api/v1/notifications", user, null).body())
				.get("items");
			assertThat(notes.findValuesAsString("kind")).contains("SIMULATION_COMPLETED");
		});
		return user;
	}

	/**
	 * The catalog scan over every database of every service: the tenant's id only in
	 * tenant-service's tombstone (the tenant row, its per-service erase reports), each
	 * service's tombstone, billing's retained invoices, and tenant-service's audit trail
	 * (the tenant's chain of records and its head: append-only legal records, ids only).
	 */
	private static void assertOnlyTombstoneAndInvoicesLeft(UUID tenant) {
		List<String> databases = Devstack.SERVICES.stream().flatMap((s) -> Devstack.databases(s).stream()).toList();
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
			List<String> traces = TenantTraces.inDatabases(TestPostgres.get(), tenant, databases);
			assertThat(traces).as("where tenant " + tenant + " was found")
				.allMatch((t) -> t.startsWith("tenant.public.tenant.")
						|| t.startsWith("tenant.public.tenant_service_placement.")
						|| t.matches("(simulation|file|billing|analytics)\\.tierflow\\.tenant_erasure\\..*")
						|| t.startsWith("billing.billing.retained_invoice")
						|| t.startsWith("tenant.public.audit_record.") || t.startsWith("tenant.public.audit_chain."),
						"a tombstone, a retained invoice or an audit record");
		});
	}

	/**
	 * {@link #rowChecksums} once the tenant's asynchronous start is over (billing records
	 * its tier from tenant.created on its own time): the same in two reads a second
	 * apart, with the tier recorded.
	 */
	private Map<String, String> settledRowChecksums(String admin, UUID tenant) {
		List<Map<String, String>> reads = new java.util.ArrayList<>();
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
			reads.add(rowChecksums(admin, tenant));
			Map<String, String> last = reads.get(reads.size() - 1);
			return reads.size() > 1 && last.equals(reads.get(reads.size() - 2))
					&& !last.getOrDefault("billing.tier_period", "0/0").startsWith("0/");
		});
		return reads.get(reads.size() - 1);
	}

	/**
	 * Row count and checksum of each of the tenant's tables in every service, read from
	 * where each service placed it.
	 */
	private Map<String, String> rowChecksums(String admin, UUID tenant) throws Exception {
		Map<String, String> sums = new java.util.TreeMap<>();
		for (JsonNode p : tenant(admin, tenant).get("placements")) {
			String database = p.get("database").asString();
			String schema = p.get("schema").asString();
			try (java.sql.Connection con = TestPostgres.get().adminConnection(database)) {
				List<String> tables = new java.util.ArrayList<>();
				try (java.sql.PreparedStatement ps = con.prepareStatement("select c.relname from pg_class c"
						+ " join pg_namespace n on n.oid = c.relnamespace where n.nspname = ? and c.relkind = 'r'"
						+ " and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id')")) {
					ps.setString(1, schema);
					try (java.sql.ResultSet rs = ps.executeQuery()) {
						while (rs.next()) {
							tables.add(rs.getString(1));
						}
					}
				}
				for (String table : tables) {
					try (java.sql.PreparedStatement ps = con.prepareStatement("select count(*), coalesce(sum(('x' ||"
							+ " substr(md5(t::text), 1, 16))::bit(64)::bigint::numeric), 0) from " + schema + "."
							+ table + " t where tenant_id = ?")) {
						ps.setObject(1, tenant);
						try (java.sql.ResultSet rs = ps.executeQuery()) {
							rs.next();
							sums.put(p.get("service").asString() + "." + table,
									rs.getLong(1) + "/" + rs.getBigDecimal(2));
						}
					}
				}
			}
		}
		return sums;
	}

	private double dropped(String admin) throws Exception {
		HttpResponse<String> metric = call("GET",
				stack.managementUrl("billing") + "/actuator/metrics/tierflow.events.dropped", admin, null);
		if (metric.statusCode() == 404) {
			return 0;
		}
		return JSON.readTree(metric.body()).get("measurements").get(0).get("value").asDouble();
	}

	private HttpResponse<String> upload(String token, String name, byte[] content) throws Exception {
		String boundary = "tierflow-" + UUID.randomUUID();
		java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
		body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name
				+ "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
			.getBytes(java.nio.charset.StandardCharsets.UTF_8));
		body.writeBytes(content);
		body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
		HttpRequest request = HttpRequest.newBuilder(URI.create(stack.url("file") + "/api/v1/files"))
			.timeout(Duration.ofSeconds(30))
			.header("Authorization", "Bearer " + token)
			.header("Content-Type", "multipart/form-data; boundary=" + boundary)
			.POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private UUID activeTenant(String admin, String plan) throws Exception {
		String slug = plan.toLowerCase() + "-" + UUID.randomUUID().toString().substring(0, 6);
		JsonNode created = JSON.readTree(call("POST", stack.url("tenant") + "/api/v1/tenants", admin,
				"{\"name\":\"" + slug + "\",\"slug\":\"" + slug + "\",\"plan\":\"" + plan + "\",\"region\":\"eu\"}")
			.body());
		UUID id = UUID.fromString(created.get("id").asString());
		await().atMost(Duration.ofSeconds(120))
			.pollInterval(Duration.ofMillis(500))
			.untilAsserted(() -> assertThat(tenant(admin, id).get("status").asString()).isEqualTo("ACTIVE"));
		return id;
	}

	private Map<String, String> createResources(String user) throws Exception {
		Map<String, String> ids = new java.util.HashMap<>();
		for (String service : RESOURCES.keySet()) {
			HttpResponse<String> created = call("POST", stack.url(service) + RESOURCES.get(service), user,
					BODIES.get(service));
			assertThat(created.statusCode()).as(service + ": " + created.body()).isEqualTo(201);
			ids.put(service, JSON.readTree(created.body()).get("id").asString());
		}
		return ids;
	}

	private JsonNode tenant(String admin, UUID id) throws Exception {
		return JSON.readTree(call("GET", stack.url("tenant") + "/api/v1/tenants/" + id, admin, null).body());
	}

	/** Waits for the tenant's latest tier change to reach {@code status}; returns it. */
	private JsonNode awaitChange(String admin, UUID tenant, String status) {
		JsonNode[] latest = new JsonNode[1];
		await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
			JsonNode changes = JSON
				.readTree(call("GET", stack.url("tenant") + "/api/v1/tenants/" + tenant + "/tier-changes", admin, null)
					.body());
			latest[0] = changes.get("items").get(0);
			assertThat(latest[0].get("status").asString()).as(changes.toString()).isEqualTo(status);
		});
		return latest[0];
	}

	private String devToken(String request) throws Exception {
		return JSON.readTree(call("POST", stack.url("tenant") + "/api/v1/dev/tokens", null, request).body())
			.get("token")
			.asString();
	}

	private HttpResponse<String> call(String method, String url, String token, String json) throws Exception {
		HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
		if (token != null) {
			b.header("Authorization", "Bearer " + token);
		}
		if (json != null) {
			b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
		}
		else {
			b.method(method, HttpRequest.BodyPublishers.noBody());
		}
		return this.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
	}

}
