package io.tierflow.billing;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.UUID;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.tierflow.events.ErasedTenantEvents;
import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.simulation.SimulationCompleted;
import io.tierflow.events.tenant.TenantCreated;
import io.tierflow.events.tenant.TenantEraseRequested;
import io.tierflow.events.tenant.TenantStatusChanged;
import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.ApiClient.Response;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.TestEvents;
import io.tierflow.servicetest.TestTokenDecoderConfiguration;
import io.tierflow.tenancy.TenancyAutoConfiguration;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.tierflow.servicetest.ServiceTestInfrastructure.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Erasing a tenant in billing, on real PostgreSQL and Kafka: its last invoice is issued
 * and kept, its parked usage goes, and usage that arrives for it afterwards is dropped.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "tierflow.billing.invoicing.finalize-every=1h", "tierflow.billing.parked-replay-every=1s",
				"tierflow.billing.invoicing.purge-every=1s",
				// Groups of this class only: another test context left running in this
				// JVM must not take this context's partitions.
				"spring.cloud.stream.bindings.usageEvents-in-0.group=billing-usage-erase-it",
				"spring.cloud.stream.bindings.tenantLifecycle-in-0.group=billing-service-erase-it" })
@Import({ TestTokenDecoderConfiguration.class, BillingErasureIT.TestClock.class })
@DirtiesContext
class BillingErasureIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Duration WAIT = Duration.ofSeconds(90);

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		ServiceTestInfrastructure.tenantDataService(registry, "billing", "billerase");
	}

	@TestConfiguration
	static class TestClock {

		@Bean
		@Primary
		MutableClock testClock() {
			return new MutableClock();
		}

	}

	@LocalServerPort
	int port;

	@Autowired
	TenantProvisioner provisioner;

	@Autowired
	MutableClock clock;

	@Autowired
	ErasedTenantEvents erased;

	@Autowired
	@Qualifier(TenancyAutoConfiguration.CONTROL)
	JdbcClient control;

	ApiClient api;

	@BeforeEach
	void client() {
		this.api = new ApiClient(this.port);
	}

	@AfterEach
	void systemTime() {
		this.clock.reset();
	}

	@Test
	void issuesTheLastInvoiceProratedToTheEraseDayKeepsItAndDropsLateUsage() {
		this.clock.set("2026-06-11T12:00:00Z");
		UUID tenant = provision(Tier.SHARED);
		String t = token(tenant, "USER");
		String created = UUID.randomUUID().toString();
		TestEvents.publishRaw(Topics.TENANT, tenant,
				event(EventTypes.TENANT_CREATED, tenant, created, OffsetDateTime.parse("2026-05-01T00:00:00Z"),
						new TenantCreated(tenant, "Acme", "acme-" + tenant, "STANDARD", Tier.SHARED, "eu")));
		TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, tenant, UUID.randomUUID().toString(),
				completed(tenant, 20_000_000, "2026-06-05T10:00:00Z"));
		await().atMost(WAIT).untilAsserted(() -> {
			JsonNode usage = current(t);
			assertThat(usage.get("iterations").asLong()).isEqualTo(20_000_000);
			assertThat(usage.get("invoice").get("lines").get(0).get("eventIds").toString()).contains(created);
		});
		// Offboarding suspends the tenant: a run that finishes during its grace period is
		// parked, and metered onto the last invoice.
		TestEvents.publish(Topics.TENANT, EventTypes.TENANT_DELETED, tenant, UUID.randomUUID().toString(),
				new TenantStatusChanged(tenant, "PENDING_ERASE"));
		await().atMost(WAIT).until(() -> this.provisioner.find(tenant).orElseThrow().suspended());
		TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, tenant, UUID.randomUUID().toString(),
				completed(tenant, 2_000_000, "2026-06-10T10:00:00Z"));
		await().atMost(WAIT).untilAsserted(() -> assertThat(parked(tenant)).isEqualTo(1));

		try (TestEvents.Reader replies = TestEvents.read(Topics.TENANT_REPLIES);
				TestEvents.Reader invoices = TestEvents.read(Topics.INVOICE)) {
			requestErase(tenant);

			JsonNode report = awaitReport(replies, tenant);
			assertThat(report.get("service").asString()).isEqualTo("billing");
			assertThat(report.get("kept").get("invoices").asLong()).isEqualTo(2);
			assertThat(report.get("removed").get("parkedEvents").asLong()).isZero();
			// May whole, June from the 1st to the 11th: 11 of 30 days of 10.00, and
			// 22 million iterations of which 10 are included, at 0.50.
			await().atMost(WAIT)
				.untilAsserted(() -> assertThat(invoices.data(EventTypes.INVOICE_FINALIZED, tenant))
					.extracting((e) -> e.get("period").asString() + " " + e.get("total").decimalValue().setScale(2))
					.containsExactly("2026-05 10.00", "2026-06 9.67"));
		}
		assertThat(this.control
			.sql("select to_char(period, 'YYYY-MM') || ' ' || total from billing.retained_invoice"
					+ " where tenant_id = ? order by period")
			.param(tenant)
			.query(String.class)
			.list()).containsExactly("2026-05 10.00", "2026-06 9.67");
		assertThat(this.control
			.sql("select l.description from billing.retained_invoice_line l join billing.retained_invoice i"
					+ " on i.tenant_id = l.tenant_id and i.id = l.invoice_id"
					+ " where l.tenant_id = ? and i.period = date '2026-06-01' order by l.line_no")
			.param(tenant)
			.query(String.class)
			.list()).first().isEqualTo("Base fee, shared (11 of 30 days)");
		assertThat(parked(tenant)).isZero();
		assertThat(this.provisioner.find(tenant)).isEmpty();
		assertThat(this.api.get("/api/v1/usage/current", t).status()).isEqualTo(410);

		// A late run: dropped and counted, neither parked nor billed.
		long dropped = this.erased.dropped();
		TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, tenant, UUID.randomUUID().toString(),
				completed(tenant, 5_000_000, "2026-06-11T11:00:00Z"));
		await().atMost(WAIT).until(() -> this.erased.dropped() > dropped);
		await().during(Duration.ofSeconds(2))
			.atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(parked(tenant)).isZero());
		assertThat(retained(tenant)).isEqualTo(2);
		assertThat(this.provisioner.find(tenant)).isEmpty();

		// Kept for ten years from their finalization, then purged.
		this.clock.set("2036-06-10T12:00:00Z");
		await().during(Duration.ofSeconds(2))
			.atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(retained(tenant)).isEqualTo(2));
		this.clock.set("2036-06-11T12:00:01Z");
		await().atMost(WAIT).untilAsserted(() -> assertThat(retained(tenant)).isZero());
		assertThat(this.control.sql("select count(*) from billing.retained_invoice_line where tenant_id = ?")
			.param(tenant)
			.query(Long.class)
			.single()).isZero();
	}

	@ParameterizedTest
	@EnumSource(Tier.class)
	void keepsTheLastInvoiceOnEveryTierWhileTheStoreGoes(Tier tier) {
		UUID tenant = provision(tier);
		String t = token(tenant, "USER");
		TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, tenant, UUID.randomUUID().toString(),
				completed(tenant, 1_000, OffsetDateTime.now().toString()));
		await().atMost(WAIT).untilAsserted(() -> assertThat(current(t).get("iterations").asLong()).isEqualTo(1_000));

		try (TestEvents.Reader replies = TestEvents.read(Topics.TENANT_REPLIES);
				TestEvents.Reader invoices = TestEvents.read(Topics.INVOICE)) {
			requestErase(tenant);
			JsonNode report = awaitReport(replies, tenant);
			assertThat(report.get("kept").get("invoices").asLong()).isEqualTo(1);
			assertThat(report.get("rowsDeleted").get("invoice").asLong()).isEqualTo(1);
			assertThat(report.get("storeDropped").isNull()).isEqualTo(tier == Tier.SHARED);
			await().atMost(WAIT)
				.untilAsserted(() -> assertThat(invoices.data(EventTypes.INVOICE_FINALIZED, tenant)).hasSize(1));
			String total = invoices.data(EventTypes.INVOICE_FINALIZED, tenant)
				.get(0)
				.get("total")
				.decimalValue()
				.setScale(2)
				.toPlainString();
			assertThat(this.control.sql("select total::text from billing.retained_invoice where tenant_id = ?")
				.param(tenant)
				.query(String.class)
				.single()).isEqualTo(total);
		}
	}

	@Test
	void removesTheParkedUsageOfATenantThatNeverHadAStoreHere() {
		UUID tenant = UUID.randomUUID();
		TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, tenant, UUID.randomUUID().toString(),
				completed(tenant, 1_000, "2026-06-05T10:00:00Z"));
		TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, tenant, UUID.randomUUID().toString(),
				completed(tenant, 2_000, "2026-06-06T10:00:00Z"));
		await().atMost(WAIT).untilAsserted(() -> assertThat(parked(tenant)).isEqualTo(2));

		try (TestEvents.Reader replies = TestEvents.read(Topics.TENANT_REPLIES)) {
			requestErase(tenant);
			JsonNode report = awaitReport(replies, tenant);
			assertThat(report.get("removed").get("parkedEvents").asLong()).isEqualTo(2);
			assertThat(report.get("kept").get("invoices").asLong()).isZero();
			assertThat(report.get("tier").isNull()).isTrue();
		}
		assertThat(parked(tenant)).isZero();

		long dropped = this.erased.dropped();
		TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, tenant, UUID.randomUUID().toString(),
				completed(tenant, 3_000, "2026-06-07T10:00:00Z"));
		await().atMost(WAIT).until(() -> this.erased.dropped() > dropped);
		await().during(Duration.ofSeconds(2))
			.atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(parked(tenant)).isZero());
	}

	private long parked(UUID tenant) {
		return this.control.sql("select count(*) from billing.parked_usage_event where tenant_id = ?")
			.param(tenant)
			.query(Long.class)
			.single();
	}

	private long retained(UUID tenant) {
		return this.control.sql("select count(*) from billing.retained_invoice where tenant_id = ?")
			.param(tenant)
			.query(Long.class)
			.single();
	}

	private static void requestErase(UUID tenant) {
		TestEvents.publish(Topics.TENANT, EventTypes.TENANT_ERASE_REQUESTED, tenant, UUID.randomUUID().toString(),
				new TenantEraseRequested(tenant, OffsetDateTime.now()));
	}

	private static JsonNode awaitReport(TestEvents.Reader replies, UUID tenant) {
		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(replies.data(EventTypes.TENANT_ERASED, tenant)).isNotEmpty());
		return replies.data(EventTypes.TENANT_ERASED, tenant).get(0);
	}

	private JsonNode current(String token) {
		Response r = this.api.get("/api/v1/usage/current", token);
		assertThat(r.status()).as(r.body()).isEqualTo(200);
		return JSON.readTree(r.body());
	}

	private static SimulationCompleted completed(UUID tenant, long iterations, String at) {
		return new SimulationCompleted(tenant, UUID.randomUUID(), UUID.randomUUID(), iterations, 10, 20, "u",
				OffsetDateTime.parse(at));
	}

	private static CloudEvent event(String type, UUID tenant, String id, OffsetDateTime time, Object data) {
		return CloudEventBuilder.v1()
			.withId(id)
			.withSource(URI.create("//tierflow/test"))
			.withType(type)
			.withTime(time)
			.withExtension("tenantid", tenant.toString())
			.withDataContentType("application/json")
			.withData(JSON.writeValueAsString(data).getBytes(StandardCharsets.UTF_8))
			.build();
	}

	private UUID provision(Tier tier) {
		UUID tenant = UUID.randomUUID();
		assertThat(this.provisioner.provision(tenant, tier, "eu").state()).isEqualTo(PlacementState.READY);
		return tenant;
	}

}
