package io.tierflow.devstack;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import io.tierflow.testsupport.TestKafka;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The provisioning saga across all five services, each its own process, on real Kafka and
 * PostgreSQL: a tenant created in tenant-service is placed by every tenant-data service
 * on the isolation its tier asks for, becomes ACTIVE, and is served by each of them.
 */
class ProvisioningSagaIT {

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
		stack = Devstack.start(TestPostgres.get(), TestKafka.get(), Path.of("target/services"),
				Path.of("target/devstack-it"), freeBasePort());
	}

	@AfterAll
	static void stopSuite() {
		if (stack != null) {
			stack.close();
		}
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
		String sharedUser = devToken("{\"subject\":\"u1\",\"tenantId\":\"" + shared + "\",\"roles\":[\"USER\"]}");
		String enterpriseUser = devToken(
				"{\"subject\":\"u2\",\"tenantId\":\"" + enterprise + "\",\"roles\":[\"USER\"]}");
		for (String service : RESOURCES.keySet()) {
			String url = stack.url(service) + RESOURCES.get(service);
			HttpResponse<String> created = call("POST", url, sharedUser, BODIES.get(service));
			assertThat(created.statusCode()).as(service + ": " + created.body()).isEqualTo(201);
			String id = JSON.readTree(created.body()).get("id").asString();
			assertThat(call("GET", url + "/" + id, sharedUser, null).statusCode()).isEqualTo(200);
			assertThat(call("GET", url + "/" + id, enterpriseUser, null).statusCode()).isEqualTo(404);
			assertThat(call("GET", url, enterpriseUser, null).body()).doesNotContain(id);
		}
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

	private static int freeBasePort() throws Exception {
		for (int attempt = 0; attempt < 50; attempt++) {
			// Below Linux's ephemeral range (32768+): a port probed free there can be taken
			// a moment later as the local end of some client connection (a CI run lost
			// file-service's port that way).
			int base = 12000 + new java.util.Random().nextInt(20000);
			boolean free = true;
			for (int i = 0; i < Devstack.SERVICES.size() && free; i++) {
				try (ServerSocket socket = new ServerSocket(base + i)) {
					socket.setReuseAddress(true);
				}
				catch (java.io.IOException ex) {
					free = false;
				}
			}
			if (free) {
				return base;
			}
		}
		throw new IllegalStateException("No free port range");
	}

}
