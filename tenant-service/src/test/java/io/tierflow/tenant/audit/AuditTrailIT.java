package io.tierflow.tenant.audit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.tenant.TenantProvisioned;
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
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AuditTrailIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final List<String> SERVICES = List.of("simulation", "file", "billing", "analytics");

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		PostgresServer pg = TestPostgres.get();
		pg.dropDatabase("tenantauditit");
		pg.createDatabase("tenantauditit");
		registry.add("spring.datasource.url", () -> pg.jdbcUrl("tenantauditit"));
		registry.add("spring.datasource.username", pg::adminUser);
		registry.add("spring.datasource.password", pg::adminPassword);
		ServiceTestInfrastructure.kafka(registry);
	}

	@LocalServerPort
	int port;

	@Autowired
	TokenIssuer tokens;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	DataSource dataSource;

	String admin;

	@BeforeEach
	void operator() {
		this.admin = this.tokens.issue("operator-7", null, List.of("SYSTEM_ADMIN"), Duration.ofMinutes(10));
	}

	@Test
	void actionsAreRecordedWithActorTargetAndRequestIdAndPublishedInTheirTransaction() {
		try (TestEvents.Reader audit = TestEvents.read(Topics.AUDIT)) {
			HttpResponse<String> created = send("POST", "/api/v1/tenants", this.admin, newTenant("recorded"),
					"X-Request-Id", "req-create-1");
			assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
			assertThat(created.headers().firstValue("X-Request-Id")).contains("req-create-1");
			UUID tenant = UUID.fromString(JSON.readTree(created.body()).get("id").asString());
			activate(tenant);

			String tenantAdmin = this.tokens.issue("subject-ada", tenant, List.of("TENANT_ADMIN"),
					Duration.ofMinutes(10));
			HttpResponse<String> user = send("POST", "/api/v1/tenants/" + tenant + "/users", tenantAdmin,
					"{\"email\":\"grace@example.com\",\"name\":\"Grace Hopper\",\"role\":\"USER\"}");
			assertThat(user.statusCode()).as(user.body()).isEqualTo(201);
			String generated = user.headers().firstValue("X-Request-Id").orElseThrow();
			String userId = JSON.readTree(user.body()).get("id").asString();
			HttpResponse<String> suspended = send("POST", "/api/v1/tenants/" + tenant + "/suspend", this.admin,
					"{\"reason\":\"unpaid\"}", "X-Request-Id", "not a usable id@example.com");
			assertThat(suspended.statusCode()).as(suspended.body()).isEqualTo(200);
			String replaced = suspended.headers().firstValue("X-Request-Id").orElseThrow();
			assertThat(replaced).doesNotContain("@").isNotEqualTo("not a usable id@example.com");

			JsonNode items = trail(this.admin, "?tenantId=" + tenant).get("items");
			assertThat(items.findValuesAsString("action")).containsExactly("tenant.suspend", "user.create",
					"tenant.create");
			assertThat(items.findValuesAsString("outcome")).containsOnly("SUCCEEDED");
			JsonNode create = items.get(2);
			assertThat(create.get("tenantId").asString()).isEqualTo(tenant.toString());
			assertThat(create.get("seq").asLong()).isEqualTo(1);
			assertThat(create.get("target").get("type").asString()).isEqualTo("tenant");
			assertThat(create.get("target").get("id").asString()).isEqualTo(tenant.toString());
			assertThat(create.get("actor").get("subject").asString()).isEqualTo("operator-7");
			assertThat(create.get("actor").get("tenantId").isNull()).isTrue();
			assertThat(create.get("requestId").asString()).isEqualTo("req-create-1");
			assertThat(create.get("status").isNull()).isTrue();
			assertThat(create.get("previousHash").asString()).isEqualTo("0".repeat(64));
			JsonNode added = items.get(1);
			assertThat(added.get("target").get("id").asString()).isEqualTo(userId);
			assertThat(added.get("actor").get("subject").asString()).isEqualTo("subject-ada");
			assertThat(added.get("actor").get("tenantId").asString()).isEqualTo(tenant.toString());
			assertThat(added.get("requestId").asString()).isEqualTo(generated);
			assertThat(added.get("previousHash").asString()).isEqualTo(create.get("hash").asString());
			assertThat(items.get(0).get("requestId").asString()).isEqualTo(replaced);
			// Ids only: the user's address and name are not in the trail.
			assertThat(items.toString()).doesNotContain("grace").doesNotContain("Hopper");

			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(audit.data(EventTypes.AUDIT_RECORDED, tenant)).hasSize(3));
			JsonNode event = audit.data(EventTypes.AUDIT_RECORDED, tenant)
				.stream()
				.filter((e) -> e.get("action").asString().equals("user.create"))
				.findFirst()
				.orElseThrow();
			assertThat(event.get("id").asString()).isEqualTo(added.get("id").asString());
			assertThat(event.get("hash").asString()).isEqualTo(added.get("hash").asString());
			assertThat(event.get("subject").asString()).isEqualTo("subject-ada");
			assertThat(event.get("targetId").asString()).isEqualTo(userId);
		}
	}

	@Test
	void anActionThatFailsLeavesOnlyItsRefusalWithTheProblemStatus() {
		UUID tenant = createTenant("refused");
		// PROVISIONING: it cannot be suspended yet.
		HttpResponse<String> refused = send("POST", "/api/v1/tenants/" + tenant + "/suspend", this.admin, "",
				"X-Request-Id", "req-refused");
		assertThat(refused.statusCode()).isEqualTo(409);
		String user = this.tokens.issue("subject-bob", tenant, List.of("USER"), Duration.ofMinutes(10));
		assertThat(send("POST", "/api/v1/tenants/" + tenant + "/users", user,
				"{\"email\":\"bob@example.com\",\"name\":\"Bob\",\"role\":\"USER\"}")
			.statusCode()).isEqualTo(403);
		assertThat(send("POST", "/api/v1/tenants", this.admin, "{\"name\":\"\"}").statusCode()).isEqualTo(400);

		JsonNode items = trail(this.admin, "?tenantId=" + tenant).get("items");
		assertThat(items.findValuesAsString("action")).containsExactly("user.create", "tenant.suspend",
				"tenant.create");
		JsonNode suspend = items.get(1);
		assertThat(suspend.get("outcome").asString()).isEqualTo("REFUSED");
		assertThat(suspend.get("status").asInt()).isEqualTo(409);
		assertThat(suspend.get("requestId").asString()).isEqualTo("req-refused");
		assertThat(suspend.get("target").get("id").asString()).isEqualTo(tenant.toString());
		JsonNode denied = items.get(0);
		assertThat(denied.get("outcome").asString()).isEqualTo("REFUSED");
		assertThat(denied.get("status").asInt()).isEqualTo(403);
		assertThat(denied.get("actor").get("subject").asString()).isEqualTo("subject-bob");
		assertThat(this.jdbc.sql("select count(*) from tenant where status = 'SUSPENDED' and id = ?")
			.param(tenant)
			.query(Long.class)
			.single()).isZero();

		// A platform action (no tenant) is refused into the platform's chain.
		JsonNode platform = trail(this.admin, "?tenantId=" + ChainHash.PLATFORM + "&action=tenant.create").get("items");
		assertThat(platform.get(0).get("status").asInt()).isEqualTo(400);
		assertThat(platform.get(0).get("tenantId").isNull()).isTrue();
		assertThat(verify("?tenantId=" + ChainHash.PLATFORM).get("intact").asBoolean()).isTrue();
	}

	@Test
	void aTenantAdminSeesOnlyTheirOwnTrailAndCannotWriteIntoAnother() {
		UUID mine = createTenant("mine");
		UUID theirs = createTenant("theirs");
		String myAdmin = this.tokens.issue("subject-mia", mine, List.of("TENANT_ADMIN"), Duration.ofMinutes(10));
		// A probe of the other tenant: 404, recorded in the prober's own chain, without
		// the
		// other tenant's id.
		assertThat(send("POST", "/api/v1/tenants/" + theirs + "/users", myAdmin,
				"{\"email\":\"x@example.com\",\"name\":\"X\",\"role\":\"USER\"}")
			.statusCode()).isEqualTo(404);

		JsonNode own = trail(myAdmin, "");
		assertThat(tenants(own)).isNotEmpty().containsOnly(mine.toString());
		assertThat(own.toString()).doesNotContain(theirs.toString());
		assertThat(own.get("items").get(0).get("status").asInt()).isEqualTo(404);
		assertThat(trail(this.admin, "?tenantId=" + theirs).get("items").findValuesAsString("action"))
			.containsExactly("tenant.create");

		assertProblem(send("GET", "/api/v1/audit?tenantId=" + theirs, myAdmin, null), 403);
		assertProblem(send("GET", "/api/v1/audit/verify", myAdmin, null), 403);
		String user = this.tokens.issue("subject-ula", mine, List.of("USER"), Duration.ofMinutes(10));
		assertProblem(send("GET", "/api/v1/audit", user, null), 403);
		assertProblem(send("GET", "/api/v1/audit?limit=201", this.admin, null), 400);

		// Paging and filters.
		JsonNode first = trail(this.admin, "?limit=1&tenantId=" + mine);
		assertThat(first.get("items")).hasSize(1);
		JsonNode second = trail(this.admin, "?limit=1&tenantId=" + mine + "&cursor=" + first.get("next").asString());
		assertThat(second.get("items").get(0).get("action").asString()).isEqualTo("tenant.create");
		assertThat(trail(this.admin, "?limit=1&tenantId=" + mine + "&cursor=" + second.get("next").asString())
			.get("items")).isEmpty();
		assertThat(tenants(trail(this.admin, "?subject=subject-mia"))).containsOnly(mine.toString());
		OffsetDateTime created = OffsetDateTime.parse(second.get("items").get(0).get("occurredAt").asString());
		assertThat(trail(this.admin, "?tenantId=" + mine + "&from=" + created.plusNanos(1000) + "&action=tenant.create")
			.get("items")).isEmpty();
		assertThat(trail(this.admin, "?tenantId=" + mine + "&from=" + created + "&to=" + created.plusNanos(1000))
			.get("items")
			.findValuesAsString("action")).containsExactly("tenant.create");
	}

	@Test
	void verifyNamesTheFirstRecordChangedBehindTheServicesBack() throws SQLException {
		UUID tenant = createTenant("tampered");
		activate(tenant);
		send("POST", "/api/v1/tenants/" + tenant + "/suspend", this.admin, "");
		send("POST", "/api/v1/tenants/" + tenant + "/reactivate", this.admin, "");
		assertThat(verify("?tenantId=" + tenant).get("intact").asBoolean()).isTrue();
		JsonNode items = trail(this.admin, "?tenantId=" + tenant).get("items");
		UUID suspend = UUID.fromString(items.get(1).get("id").asString());

		// Append-only, even for the superuser the service connects as.
		assertThatThrownBy(() -> this.jdbc.sql("update audit_record set action = 'tenant.reactivate' where id = ?")
			.param(suspend)
			.update()).hasStackTraceContaining("append-only");
		assertThatThrownBy(() -> this.jdbc.sql("delete from audit_record where id = ?").param(suspend).update())
			.hasStackTraceContaining("append-only");
		assertThatThrownBy(() -> this.jdbc.sql("delete from audit_chain where chain_id = ?").param(tenant).update())
			.hasStackTraceContaining("only advance");

		// Someone who can switch the triggers off changes a record.
		try (Connection con = this.dataSource.getConnection(); Statement st = con.createStatement()) {
			con.setAutoCommit(false);
			st.execute("set local session_replication_role = replica");
			st.executeUpdate("update audit_record set actor_subject = 'someone-else' where id = '" + suspend + "'");
			con.commit();
			con.setAutoCommit(true);
		}
		JsonNode verification = verify("?tenantId=" + tenant);
		assertThat(verification.get("intact").asBoolean()).isFalse();
		assertThat(verification.get("breaks")).hasSize(1);
		assertThat(verification.get("breaks").get(0).get("recordId").asString()).isEqualTo(suspend.toString());
		assertThat(verification.get("breaks").get(0).get("seq").asLong()).isEqualTo(2);
		assertThat(verify("").get("breaks").findValuesAsString("recordId")).contains(suspend.toString());
	}

	@Test
	void aBurstOfConcurrentActionsOnOneTenantKeepsItsChainWhole() throws Exception {
		UUID tenant = createTenant("burst");
		activate(tenant);
		int requests = 40;
		ExecutorService pool = Executors.newFixedThreadPool(8);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<Integer>> statuses = new ArrayList<>();
		try {
			for (int i = 0; i < requests; i++) {
				int n = i;
				statuses.add(pool.submit(() -> {
					start.await();
					return (n % 4 == 0)
							? send("POST", "/api/v1/tenants/" + tenant + "/reactivate", this.admin, "").statusCode()
							: send("POST", "/api/v1/tenants/" + tenant + "/users", this.admin,
									"{\"email\":\"u" + n + "@example.com\",\"name\":\"U\",\"role\":\"USER\"}")
								.statusCode();
				}));
			}
			start.countDown();
			for (Future<Integer> status : statuses) {
				assertThat(status.get()).isIn(201, 409);
			}
		}
		finally {
			pool.shutdownNow();
		}
		JsonNode verification = verify("?tenantId=" + tenant);
		assertThat(verification.get("intact").asBoolean()).as(verification.toString()).isTrue();
		// tenant.create and the burst, each request once.
		assertThat(verification.get("records").asLong()).isEqualTo(1 + requests);
		assertThat(this.jdbc
			.sql("select array_agg(seq order by seq) = array(select generate_series(1, ?::bigint))"
					+ " from audit_record where chain_id = ?")
			.params(1 + requests, tenant)
			.query(Boolean.class)
			.single()).isTrue();
	}

	private UUID createTenant(String prefix) {
		HttpResponse<String> created = send("POST", "/api/v1/tenants", this.admin, newTenant(prefix));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		return UUID.fromString(JSON.readTree(created.body()).get("id").asString());
	}

	private static String newTenant(String prefix) {
		String slug = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
		return "{\"name\":\"Tenant " + slug + "\",\"slug\":\"" + slug + "\",\"plan\":\"ENTERPRISE\","
				+ "\"region\":\"eu\"}";
	}

	/** Every service places the tenant; it turns ACTIVE. */
	private void activate(UUID tenant) {
		for (String service : SERVICES) {
			TestEvents.publish(Topics.TENANT_REPLIES, EventTypes.TENANT_PROVISIONED, tenant,
					service + "-" + tenant + "-ready", new TenantProvisioned(tenant, service, TenantProvisioned.READY,
							Tier.ENTERPRISE, IsolationMode.DATABASE, "enterprise-eu", "db", "s", 1, null));
		}
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(
					() -> assertThat(JSON.readTree(send("GET", "/api/v1/tenants/" + tenant, this.admin, null).body())
						.get("status")
						.asString()).isEqualTo("ACTIVE"));
	}

	/** The tenant each record of a page concerns. */
	private static List<String> tenants(JsonNode page) {
		return page.get("items").valueStream().map((item) -> item.get("tenantId").asString()).toList();
	}

	private JsonNode trail(String token, String query) {
		HttpResponse<String> r = send("GET", "/api/v1/audit" + query, token, null);
		assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
		return JSON.readTree(r.body());
	}

	private JsonNode verify(String query) {
		HttpResponse<String> r = send("GET", "/api/v1/audit/verify" + query, this.admin, null);
		assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
		return JSON.readTree(r.body());
	}

	private static void assertProblem(HttpResponse<String> response, int status) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
	}

	private HttpResponse<String> send(String method, String path, String token, String json, String... headers) {
		HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.timeout(Duration.ofSeconds(30))
			.header("Authorization", "Bearer " + token)
			.method(method,
					(json != null) ? HttpRequest.BodyPublishers.ofString(json) : HttpRequest.BodyPublishers.noBody());
		if (json != null) {
			b.header("Content-Type", "application/json");
		}
		for (int i = 0; i + 1 < headers.length; i += 2) {
			b.header(headers[i], headers[i + 1]);
		}
		try {
			return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
