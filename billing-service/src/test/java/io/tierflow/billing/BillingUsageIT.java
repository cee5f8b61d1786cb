package io.tierflow.billing;

import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.kafka.CloudEventSerializer;
import io.tierflow.billing.invoice.InvoiceFinalizer;
import io.tierflow.events.DeadLetters;
import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.file.FileDeleted;
import io.tierflow.events.file.FileUploaded;
import io.tierflow.events.simulation.SimulationCompleted;
import io.tierflow.events.tenant.TenantCreated;
import io.tierflow.events.tenant.TierChanged;
import io.tierflow.events.tenant.UserCreated;
import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.ApiClient.Response;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.TestEvents;
import io.tierflow.servicetest.TestTokenDecoderConfiguration;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.testsupport.TestKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.tierflow.servicetest.ServiceTestInfrastructure.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Usage in, invoices out, on real PostgreSQL and Kafka: events are published as other
 * services publish them, and read back through the REST API.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "tierflow.billing.invoicing.finalize-every=1h", "tierflow.billing.parked-replay-every=1s",
				// Groups of this class only: another test context left running in this
				// JVM
				// must not take this context's partitions.
				"spring.cloud.stream.bindings.usageEvents-in-0.group=billing-usage-it",
				"spring.cloud.stream.bindings.tenantLifecycle-in-0.group=billing-service-usage-it" })
@Import({ TestTokenDecoderConfiguration.class, BillingUsageIT.TestClock.class })
@DirtiesContext
class BillingUsageIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Duration WAIT = Duration.ofSeconds(60);

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		ServiceTestInfrastructure.tenantDataService(registry, "billing", "billuse");
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
	io.micrometer.core.instrument.MeterRegistry meters;

	@Autowired
	MutableClock clock;

	@Autowired
	InvoiceFinalizer finalizer;

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
	void countsAnEventDeliveredTwiceOnce() {
		UUID tenant = provision(Tier.SHARED);
		String t = token(tenant, "USER");
		String id = UUID.randomUUID().toString();
		SimulationCompleted run = completed(tenant, 5_000_000, OffsetDateTime.now());
		TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, tenant, id, run);
		TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, tenant, id, run);
		// Same key, same partition: once this later event is metered, both deliveries
		// of the first have been handled.
		String marker = UUID.randomUUID().toString();
		TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, tenant, marker,
				completed(tenant, 1, OffsetDateTime.now()));

		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(current(t).get("iterations").asLong()).isEqualTo(5_000_001));
		JsonNode usage = current(t);
		List<String> ids = eventIds(usage.get("invoice"), "ITERATIONS");
		assertThat(ids).containsExactlyInAnyOrder(id, marker);
	}

	@Test
	void parksUsageOfATenantNotPlacedYetAndMetersItOnceWhenItIs() {
		UUID early = UUID.randomUUID();
		String id = UUID.randomUUID().toString();
		SimulationCompleted run = completed(early, 7_000_000, OffsetDateTime.now());
		TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, early, id, run);
		TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, early, id, run);
		// The partition keeps moving for the tenants that are placed.
		UUID placed = provision(Tier.SHARED);
		TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, placed, UUID.randomUUID().toString(),
				completed(placed, 1, OffsetDateTime.now()));
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(current(token(placed, "USER")).get("iterations").asLong()).isEqualTo(1));

		assertThat(this.provisioner.provision(early, Tier.SHARED, "eu").state()).isEqualTo(PlacementState.READY);
		String t = token(early, "USER");
		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(current(t).get("iterations").asLong()).isEqualTo(7_000_000));
		await().during(Duration.ofSeconds(3))
			.atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(current(t).get("iterations").asLong()).isEqualTo(7_000_000));
		assertThat(eventIds(current(t).get("invoice"), "ITERATIONS")).containsExactly(id);
	}

	@Test
	void parkedEventsOfATenantThatNeverBecomesReadyDoNotHoldBackAnotherTenants() throws Exception {
		// More parked events of a tenant that is never placed here than a replay takes in
		// one go, all older than the other tenant's.
		UUID never = UUID.randomUUID();
		try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(TestKafka.get().clientConfig(),
				new StringSerializer(), new CloudEventSerializer())) {
			List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
			for (int i = 0; i < 600; i++) {
				CloudEvent event = event(EventTypes.SIMULATION_COMPLETED, never, UUID.randomUUID().toString(),
						OffsetDateTime.now(), completed(never, 1, OffsetDateTime.now()));
				sent.add(producer.send(new ProducerRecord<>(Topics.SIMULATION, never.toString(), event)));
			}
			for (java.util.concurrent.Future<?> f : sent) {
				f.get(30, TimeUnit.SECONDS);
			}
		}
		UUID later = UUID.randomUUID();
		TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, later, UUID.randomUUID().toString(),
				completed(later, 3_000_000, OffsetDateTime.now()));
		await().atMost(WAIT).until(() -> parked(never) == 600 && parked(later) == 1);
		io.micrometer.core.instrument.Gauge parkedGauge = this.meters.get("tierflow.events.parked")
			.tag("consumer", "billing.usage")
			.gauge();
		assertThat(parkedGauge.value()).isGreaterThanOrEqualTo(601);
		assertThat(parkedGauge.getId().getTags()).hasSize(1);

		assertThat(this.provisioner.provision(later, Tier.SHARED, "eu").state()).isEqualTo(PlacementState.READY);

		String t = token(later, "USER");
		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(current(t).get("iterations").asLong()).isEqualTo(3_000_000));
		assertThat(parked(later)).isZero();
		assertThat(parked(never)).isEqualTo(600);
	}

	private static long parked(UUID tenant) throws Exception {
		try (java.sql.Connection con = io.tierflow.testsupport.TestPostgres.get().adminConnection("billuse_control");
				java.sql.PreparedStatement ps = con
					.prepareStatement("select count(*) from billing.parked_usage_event where tenant_id = ?")) {
			ps.setObject(1, tenant);
			try (java.sql.ResultSet rs = ps.executeQuery()) {
				rs.next();
				return rs.getLong(1);
			}
		}
	}

	@Test
	void countsABurstOf200EventsExactly200TimesDespiteRedeliveries() throws Exception {
		UUID tenant = provision(Tier.DEDICATED);
		String t = token(tenant, "USER");
		List<String> ids = new ArrayList<>();
		try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(TestKafka.get().clientConfig(),
				new StringSerializer(), new CloudEventSerializer())) {
			List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
			for (int i = 0; i < 200; i++) {
				String id = UUID.randomUUID().toString();
				ids.add(id);
				CloudEvent event = event(EventTypes.SIMULATION_COMPLETED, tenant, id, OffsetDateTime.now(),
						completed(tenant, 1_000_000, OffsetDateTime.now()));
				sent.add(producer.send(new ProducerRecord<>(Topics.SIMULATION, tenant.toString(), event)));
				if (i % 10 == 0) { // a redelivery
					sent.add(producer.send(new ProducerRecord<>(Topics.SIMULATION, tenant.toString(), event)));
				}
			}
			for (java.util.concurrent.Future<?> f : sent) {
				f.get(30, TimeUnit.SECONDS);
			}
		}
		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(current(t).get("iterations").asLong()).isEqualTo(200_000_000));
		await().during(Duration.ofSeconds(1))
			.atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(current(t).get("iterations").asLong()).isEqualTo(200_000_000));
		JsonNode invoice = current(t).get("invoice");
		// DEDICATED (schema): 100M included, then $0.50 per million: 100 × 0.50
		assertThat(amounts(invoice, "ITERATIONS")).containsExactly(new BigDecimal("0.00"), new BigDecimal("50.00"));
		assertThat(eventIds(invoice, "ITERATIONS")).hasSize(200).containsExactlyInAnyOrderElementsOf(ids);
	}

	@Test
	void integratesStorageOverTheMonth() {
		this.clock.set("2026-09-30T12:00:00Z");
		UUID tenant = provision(Tier.SHARED);
		String t = token(tenant, "USER");
		UUID file = UUID.randomUUID();
		String up = UUID.randomUUID().toString();
		String down = UUID.randomUUID().toString();
		String again = UUID.randomUUID().toString();
		TestEvents.publish(Topics.FILE, EventTypes.FILE_UPLOADED, tenant, up, new FileUploaded(tenant, file, "a.csv",
				"text/csv", 3_000_000_000L, "00", "u", OffsetDateTime.parse("2026-09-01T00:00:00Z")));
		TestEvents.publish(Topics.FILE, EventTypes.FILE_DELETED, tenant, down,
				new FileDeleted(tenant, file, 3_000_000_000L, "u", OffsetDateTime.parse("2026-09-16T00:00:00Z")));
		TestEvents.publish(Topics.FILE, EventTypes.FILE_UPLOADED, tenant, again,
				new FileUploaded(tenant, UUID.randomUUID(), "b.csv", "text/csv", 6_000_000_000L, "00", "u",
						OffsetDateTime.parse("2026-09-21T00:00:00Z")));
		// user.created carries no time of its own: the event's time counts.
		TestEvents.publishRaw(Topics.USER, tenant,
				event(EventTypes.USER_CREATED, tenant, UUID.randomUUID().toString(),
						OffsetDateTime.parse("2026-09-22T00:00:00Z"),
						new UserCreated(tenant, UUID.randomUUID(), "a@example.com", "A", "USER")));

		await().atMost(WAIT).untilAsserted(() -> assertThat(current(t).get("users").asLong()).isEqualTo(1));
		JsonNode usage = current(t);
		assertThat(usage.get("period").asString()).isEqualTo("2026-09");
		assertThat(usage.get("storageBytes").asLong()).isEqualTo(6_000_000_000L);
		JsonNode invoice = usage.get("invoice");
		// 3 GB for 15 of 30 days + 6 GB for 10 of 30 days = 3.5 GB-months, 1 included
		List<JsonNode> storage = lines(invoice, "STORAGE");
		assertThat(storage).hasSize(2);
		assertThat(storage.get(0).get("quantity").decimalValue()).isEqualByComparingTo("1");
		assertThat(storage.get(1).get("quantity").decimalValue()).isEqualByComparingTo("2.5");
		assertThat(storage.get(1).get("amount").decimalValue()).isEqualByComparingTo("0.25");
		assertThat(eventIds(invoice, "STORAGE")).containsExactly(up, down, again, up, down, again);
		assertThat(invoice.get("total").decimalValue()).isEqualByComparingTo("10.25");
		assertThat(invoice.get("status").asString()).isEqualTo("DRAFT");
		assertThat(invoice.get("currency").asString()).isEqualTo("USD");
	}

	@Test
	void proratesTheBaseFeeOverAMidMonthTierChange() {
		this.clock.set("2026-06-30T12:00:00Z");
		UUID tenant = provision(Tier.SHARED);
		String t = token(tenant, "USER");
		String created = UUID.randomUUID().toString();
		String changed = UUID.randomUUID().toString();
		TestEvents.publishRaw(Topics.TENANT, tenant,
				event(EventTypes.TENANT_CREATED, tenant, created, OffsetDateTime.parse("2026-06-01T00:00:00Z"),
						new TenantCreated(tenant, "Acme", "acme-" + tenant, "STANDARD", Tier.SHARED, "eu")));
		TestEvents.publishRaw(Topics.TENANT, tenant,
				event(EventTypes.TENANT_TIER_CHANGED, tenant, changed, OffsetDateTime.parse("2026-06-11T12:00:00Z"),
						new TierChanged(tenant, UUID.randomUUID(), "STANDARD", "PROFESSIONAL", Tier.SHARED,
								Tier.DEDICATED, false, null)));

		await().atMost(WAIT).untilAsserted(() -> assertThat(lines(current(t).get("invoice"), "BASE_FEE")).hasSize(2));
		JsonNode invoice = current(t).get("invoice");
		// June: days 1-10 shared (10 × 10/30), days 11-30 dedicated schema (50 × 20/30)
		assertThat(amounts(invoice, "BASE_FEE")).containsExactly(new BigDecimal("3.33"), new BigDecimal("33.33"));
		List<JsonNode> base = lines(invoice, "BASE_FEE");
		assertThat(base.get(0).get("quantity").asInt()).isEqualTo(10);
		assertThat(base.get(1).get("quantity").asInt()).isEqualTo(20);
		assertThat(eventIds(invoice, "BASE_FEE")).containsExactly(created, changed);
		assertThat(invoice.get("total").decimalValue()).isEqualByComparingTo("36.66");
	}

	@Test
	void finalizesAfterTheGracePeriodOnceAndBillsLateUsageInTheNextMonth() throws Exception {
		this.clock.set("2026-03-02T10:00:00Z");
		UUID tenant = provision(Tier.SHARED);
		String t = token(tenant, "USER");
		String inFebruary = UUID.randomUUID().toString();
		TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, tenant, inFebruary,
				completed(tenant, 20_000_000, OffsetDateTime.parse("2026-02-20T10:00:00Z")));
		await().atMost(WAIT)
			.untilAsserted(
					() -> assertThat(invoices(t)).extracting((i) -> i.get("period").asString()).contains("2026-02"));
		JsonNode february = invoices(t).stream()
			.filter((i) -> i.get("period").asString().equals("2026-02"))
			.findFirst()
			.orElseThrow();
		String id = february.get("id").asString();
		// base 10.00 + 10M above the included 10M at 0.50
		assertThat(february.get("total").decimalValue()).isEqualByComparingTo("15.00");
		assertThat(february.get("status").asString()).isEqualTo("DRAFT");

		try (TestEvents.Reader finalized = TestEvents.read(Topics.INVOICE)) {
			// Within grace (February ends 03-01T00:00Z, grace 3 days): still a draft.
			this.clock.set("2026-03-03T23:59:59Z");
			this.finalizer.finalizeDue();
			assertThat(invoice(t, id).get("status").asString()).isEqualTo("DRAFT");

			this.clock.set("2026-03-04T00:00:01Z");
			CompletableFuture<Integer> concurrent = CompletableFuture.supplyAsync(this.finalizer::finalizeDue);
			this.finalizer.finalizeDue();
			concurrent.get(30, TimeUnit.SECONDS);
			this.finalizer.finalizeDue();
			JsonNode finalInvoice = invoice(t, id);
			assertThat(finalInvoice.get("status").asString()).isEqualTo("FINALIZED");
			assertThat(finalInvoice.get("total").decimalValue()).isEqualByComparingTo("15.00");
			assertThat(eventIds(finalInvoice, "ITERATIONS")).contains(inFebruary);

			await().atMost(WAIT)
				.untilAsserted(() -> assertThat(finalized.data(EventTypes.INVOICE_FINALIZED, tenant)).hasSize(1));
			await().during(Duration.ofSeconds(2))
				.atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(finalized.data(EventTypes.INVOICE_FINALIZED, tenant)).hasSize(1));
			JsonNode event = finalized.data(EventTypes.INVOICE_FINALIZED, tenant).get(0);
			assertThat(event.get("invoiceId").asString()).isEqualTo(id);
			assertThat(event.get("period").asString()).isEqualTo("2026-02");
			assertThat(event.get("total").decimalValue()).isEqualByComparingTo("15.00");

			// Late: occurred in February, arrives after February's invoice is final.
			String late = UUID.randomUUID().toString();
			TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, tenant, late,
					completed(tenant, 4_000_000, OffsetDateTime.parse("2026-02-25T10:00:00Z")));
			await().atMost(WAIT)
				.untilAsserted(() -> assertThat(current(t).get("iterations").asLong()).isEqualTo(4_000_000));
			JsonNode march = current(t);
			assertThat(march.get("period").asString()).isEqualTo("2026-03");
			JsonNode line = lines(march.get("invoice"), "ITERATIONS").get(0);
			assertThat(line.get("eventIds").get(0).asString()).isEqualTo(late);
			assertThat(line.get("note").asString()).contains("late");
			assertThat(invoice(t, id)).isEqualTo(finalInvoice);

			// March, with the late usage, is due once its own grace is over; February,
			// closed already, is left as it is.
			this.clock.set("2026-04-04T00:00:01Z");
			this.finalizer.finalizeDue();
			await().atMost(WAIT)
				.untilAsserted(() -> assertThat(finalized.data(EventTypes.INVOICE_FINALIZED, tenant))
					.extracting((e) -> e.get("period").asString())
					.containsExactly("2026-02", "2026-03"));
			assertThat(invoice(t, id)).isEqualTo(finalInvoice);
		}
	}

	@Test
	void servesInvoicesAsProblemsWhenTheInputIsWrongAndNeverAnotherTenants() {
		UUID a = provision(Tier.SHARED);
		UUID b = provision(Tier.ENTERPRISE);
		String tokenA = token(a, "USER");
		String tokenB = token(b, "USER");
		JsonNode usage = current(tokenA);
		assertThat(usage.get("period").asString()).matches("\\d{4}-\\d{2}");
		assertThat(usage.get("from").isNull()).isFalse();
		assertThat(usage.get("invoice").get("lines").isArray()).isTrue();
		String id = usage.get("invoice").get("id").asString();
		JsonNode read = invoice(tokenA, id);
		assertThat(read.get("status").asString()).isEqualTo("DRAFT");
		assertThat(lines(read, "BASE_FEE").get(0).get("eventIds").isArray()).isTrue();
		Response page = this.api.get("/api/v1/invoices?page=0&size=5", tokenA);
		assertThat(page.status()).as(page.body()).isEqualTo(200);
		JsonNode listed = JSON.readTree(page.body());
		assertThat(listed.get("items").get(0).get("id").asString()).isEqualTo(id);
		assertThat(listed.get("items").get(0).has("lines")).isFalse();
		assertThat(JSON.readTree(this.api.get("/api/v1/invoices?page=1&size=5", tokenA).body()).get("items")).isEmpty();

		assertProblem(this.api.get("/api/v1/invoices/" + id, tokenB), 404);
		assertThat(invoices(tokenB)).extracting((i) -> i.get("id").asString()).doesNotContain(id);
		assertProblem(this.api.get("/api/v1/invoices/" + id, tokenA, "X-Tenant-Id", b.toString()), 403);
		assertProblem(this.api.get("/api/v1/invoices/not-a-uuid", tokenA), 400);
		assertProblem(this.api.get("/api/v1/invoices/" + UUID.randomUUID(), tokenA), 404);
		assertProblem(this.api.get("/api/v1/invoices?size=0", tokenA), 400);
		assertProblem(this.api.get("/api/v1/invoices?size=201", tokenA), 400);
		assertProblem(this.api.get("/api/v1/invoices?page=-1", tokenA), 400);
		assertProblem(this.api.get("/api/v1/invoices?page=abc", tokenA), 400);
		assertProblem(this.api.get("/api/v1/invoices", null), 401);
		assertProblem(this.api.get("/api/v1/usage/current", null), 401);
		assertProblem(this.api.get("/api/v1/usage/current", token(UUID.randomUUID(), "USER")), 404);
		assertProblem(this.api.post("/api/v1/invoices", tokenA, "{}"), 405);
	}

	@Test
	void sendsAMalformedUsageEventToTheDeadLetterTopic() {
		UUID tenant = provision(Tier.SHARED);
		String t = token(tenant, "USER");
		try (TestEvents.Reader dlq = TestEvents.read(Topics.deadLetter("billing"))) {
			String bad = UUID.randomUUID().toString();
			// Data naming another tenant than the event.
			TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, tenant, bad,
					completed(UUID.randomUUID(), 7, OffsetDateTime.now()));
			TestEvents.publish(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, tenant, UUID.randomUUID().toString(),
					completed(tenant, 3, OffsetDateTime.now()));
			await().atMost(WAIT).untilAsserted(() -> assertThat(current(t).get("iterations").asLong()).isEqualTo(3));
			await().atMost(WAIT).untilAsserted(() -> assertThat(dlq.poll()).anyMatch((e) -> e.getId().equals(bad)));
			assertThat(this.meters.find("tierflow.events.refused").tag("consumer", "billing.usage").counter())
				.isNotNull()
				.satisfies((c) -> assertThat(c.count()).isGreaterThanOrEqualTo(1));
			// Dead-lettered by the batch binding's error handler, counted by topic and
			// reason.
			await().atMost(WAIT)
				.untilAsserted(() -> assertThat(this.meters.find(DeadLetters.METER)
					.tag("service", "billing")
					.tag("topic", Topics.SIMULATION)
					.tag("reason", DeadLetters.Reason.TENANT_MISMATCH.tag())
					.counter()).isNotNull().satisfies((c) -> assertThat(c.count()).isGreaterThanOrEqualTo(1)));
		}
	}

	private static SimulationCompleted completed(UUID tenant, long iterations, OffsetDateTime at) {
		return new SimulationCompleted(tenant, UUID.randomUUID(), UUID.randomUUID(), iterations, 10, 20, "u", at);
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

	private JsonNode current(String token) {
		Response r = this.api.get("/api/v1/usage/current", token);
		assertThat(r.status()).as(r.body()).isEqualTo(200);
		return JSON.readTree(r.body());
	}

	private JsonNode invoice(String token, String id) {
		Response r = this.api.get("/api/v1/invoices/" + id, token);
		assertThat(r.status()).as(r.body()).isEqualTo(200);
		return JSON.readTree(r.body());
	}

	private List<JsonNode> invoices(String token) {
		Response r = this.api.get("/api/v1/invoices?size=200", token);
		assertThat(r.status()).as(r.body()).isEqualTo(200);
		return JSON.readTree(r.body()).get("items").valueStream().toList();
	}

	private static List<JsonNode> lines(JsonNode invoice, String kind) {
		return invoice.get("lines").valueStream().filter((l) -> l.get("kind").asString().equals(kind)).toList();
	}

	private static List<BigDecimal> amounts(JsonNode invoice, String kind) {
		return lines(invoice, kind).stream().map((l) -> l.get("amount").decimalValue().setScale(2)).toList();
	}

	private static List<String> eventIds(JsonNode invoice, String kind) {
		return lines(invoice, kind).stream()
			.flatMap((l) -> l.get("eventIds").valueStream())
			.map(JsonNode::asString)
			.toList();
	}

	private static void assertProblem(Response response, int status) {
		assertThat(response.status()).as(response.body()).isEqualTo(status);
		assertThat(response.isProblem()).as(response.contentType()).isTrue();
	}

	private UUID provision(Tier tier) {
		UUID tenant = UUID.randomUUID();
		assertThat(this.provisioner.provision(tenant, tier, "eu").state()).isEqualTo(PlacementState.READY);
		return tenant;
	}

}
