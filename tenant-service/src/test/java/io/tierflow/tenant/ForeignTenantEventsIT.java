package io.tierflow.tenant;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.tierflow.events.EventTypes;
import io.tierflow.events.ForeignTenantEvents;
import io.tierflow.events.Topics;
import io.tierflow.events.simulation.SimulationCompleted;
import io.tierflow.events.tenant.TenantErased;
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
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Events recorded for one tenant whose data names another are refused by tenant-service's
 * consumers: dead-lettered, counted, and without effect on either tenant; the next event
 * of the partition is applied as usual.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
		// Groups of this class only: another test context left running in this
		// JVM must not take this context's partitions.
		"spring.cloud.stream.bindings.provisioningReplies-in-0.group=tenant-service-foreign-it",
		"spring.cloud.stream.bindings.notifications-in-0.group=tenant-service-notifications-foreign-it" })
@DirtiesContext
class ForeignTenantEventsIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final List<String> SERVICES = List.of("simulation", "file", "billing", "analytics");

	private static final Duration WAIT = Duration.ofSeconds(60);

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		PostgresServer pg = TestPostgres.get();
		pg.dropDatabase("tenantforeignit");
		pg.createDatabase("tenantforeignit");
		registry.add("spring.datasource.url", () -> pg.jdbcUrl("tenantforeignit"));
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
	MeterRegistry meters;

	ApiClient api;

	String admin;

	@BeforeEach
	void client() {
		this.api = new ApiClient(this.port);
		this.admin = this.tokens.issue("operator", null, List.of("SYSTEM_ADMIN"), Duration.ofMinutes(10));
	}

	@Test
	void aReplyWhoseDataNamesAnotherTenantIsDeadLetteredAndPlacesNothing() {
		UUID a = create("replying");
		UUID b = create("claimed");
		double before = refused("tenant-service.provisioning");
		try (TestEvents.Reader dead = TestEvents.read(Topics.deadLetter("tenant"))) {
			// Recorded for A, each claiming B: applied by their data, they would make B
			// ACTIVE, and an erase report would go to B's erase.
			for (String service : SERVICES) {
				TestEvents.publish(Topics.TENANT_REPLIES, EventTypes.TENANT_PROVISIONED, a, forged(service, a),
						provisioned(b, service));
			}
			TestEvents.publish(Topics.TENANT_REPLIES, EventTypes.TENANT_ERASED, a, forged("erased", a),
					new TenantErased(b, "file", Tier.DEDICATED, IsolationMode.SCHEMA, "dedicated-eu", "SCHEMA",
							Map.of(), Map.of(), Map.of(), OffsetDateTime.now()));
			// Right after, on the same partition: A's own replies make it ACTIVE.
			for (String service : SERVICES) {
				TestEvents.publish(Topics.TENANT_REPLIES, EventTypes.TENANT_PROVISIONED, a,
						service + "-" + a + "-READY", provisioned(a, service));
			}
			await().atMost(WAIT).untilAsserted(() -> assertThat(status(a)).isEqualTo("ACTIVE"));
			await().atMost(WAIT)
				.untilAsserted(() -> assertThat(ids(dead.poll())).contains(forged("simulation", a), forged("file", a),
						forged("billing", a), forged("analytics", a), forged("erased", a)));
		}
		assertThat(refused("tenant-service.provisioning") - before).isEqualTo(5);
		assertThat(status(b)).isEqualTo("PROVISIONING");
		for (JsonNode placement : tenant(b).get("placements")) {
			assertThat(placement.get("state").asString()).as(placement.toString()).isNotEqualTo("READY");
		}
		assertThat(inboxed(a, forged("simulation", a), forged("erased", a))).isZero();
		assertThat(inboxed(b, forged("simulation", a), forged("erased", a))).isZero();
	}

	@Test
	void aDomainEventWhoseDataNamesAnotherTenantIsDeadLetteredAndNotifiesNoOne() {
		UUID a = create("notified");
		UUID b = create("named");
		UUID alice = UUID.randomUUID();
		UUID bob = UUID.randomUUID();
		double before = refused("tenant-service.notifications");
		try (TestEvents.Reader dead = TestEvents.read(Topics.deadLetter("tenant"))) {
			String forgedWelcome = UUID.randomUUID().toString();
			TestEvents.publish(Topics.USER, EventTypes.USER_CREATED, a, forgedWelcome,
					new UserCreated(b, alice, "alice@example.com", "Alice", "USER"));
			String forgedRun = UUID.randomUUID().toString();
			TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, a, forgedRun, completed(b, alice));
			// Right after, on the same partitions: A's own events notify Bob.
			TestEvents.publish(Topics.USER, EventTypes.USER_CREATED, a, UUID.randomUUID().toString(),
					new UserCreated(a, bob, "bob@example.com", "Bob", "USER"));
			TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, a, UUID.randomUUID().toString(),
					completed(a, bob));
			await().atMost(WAIT).untilAsserted(() -> assertThat(notifications(a, bob)).isEqualTo(2));

			// A deletion of Bob that claims B leaves his notifications; the event after
			// it
			// is applied.
			String forgedDeletion = UUID.randomUUID().toString();
			TestEvents.publish(Topics.USER, EventTypes.USER_DELETED, a, forgedDeletion, new UserDeleted(b, bob));
			UUID carol = UUID.randomUUID();
			TestEvents.publish(Topics.USER, EventTypes.USER_CREATED, a, UUID.randomUUID().toString(),
					new UserCreated(a, carol, "carol@example.com", "Carol", "USER"));
			await().atMost(WAIT).untilAsserted(() -> assertThat(notifications(a, carol)).isOne());
			await().atMost(WAIT)
				.untilAsserted(() -> assertThat(ids(dead.poll())).contains(forgedWelcome, forgedRun, forgedDeletion));
			assertThat(refused("tenant-service.notifications") - before).isEqualTo(3);
			assertThat(notifications(a, bob)).isEqualTo(2);
			assertThat(notifications(a, alice)).isZero();
			assertThat(notifications(b, alice)).isZero();
			assertThat(inboxed(a, forgedWelcome, forgedRun, forgedDeletion)).isZero();
		}
	}

	private static String forged(String what, UUID tenant) {
		return "forged-" + what + "-" + tenant;
	}

	private static TenantProvisioned provisioned(UUID tenant, String service) {
		return new TenantProvisioned(tenant, service, TenantProvisioned.READY, Tier.DEDICATED, IsolationMode.SCHEMA,
				"dedicated-eu", "db", "s", 1, null);
	}

	private static SimulationCompleted completed(UUID tenant, UUID user) {
		return new SimulationCompleted(tenant, UUID.randomUUID(), UUID.randomUUID(), 1_000, 10, 20, user.toString(),
				OffsetDateTime.now());
	}

	private static List<String> ids(List<CloudEvent> events) {
		return events.stream().map(CloudEvent::getId).toList();
	}

	private double refused(String consumer) {
		return this.meters.get(ForeignTenantEvents.METER)
			.tag("reason", "tenant_mismatch")
			.tag("consumer", consumer)
			.counter()
			.count();
	}

	private UUID create(String slugPrefix) {
		String slug = slugPrefix + "-" + UUID.randomUUID().toString().substring(0, 8);
		Response r = this.api.post("/api/v1/tenants", this.admin,
				"{\"name\":\"Tenant " + slug + "\",\"slug\":\"" + slug + "\",\"plan\":\"STANDARD\",\"region\":\"eu\"}");
		assertThat(r.status()).as(r.body()).isEqualTo(201);
		return UUID.fromString(JSON.readTree(r.body()).get("id").asString());
	}

	private JsonNode tenant(UUID id) {
		return JSON.readTree(this.api.get("/api/v1/tenants/" + id, this.admin).body());
	}

	private String status(UUID id) {
		return tenant(id).get("status").asString();
	}

	private int notifications(UUID tenant, UUID recipient) {
		return this.jdbc.sql("select count(*) from notification where tenant_id = ? and recipient = ?")
			.params(tenant, recipient.toString())
			.query(Integer.class)
			.single();
	}

	private int inboxed(UUID tenant, String... eventIds) {
		return this.jdbc.sql("select count(*) from inbox where tenant_id = ? and event_id = any (?)")
			.params(tenant, eventIds)
			.query(Integer.class)
			.single();
	}

}
