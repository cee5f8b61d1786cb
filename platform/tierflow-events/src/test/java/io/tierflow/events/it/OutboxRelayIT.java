package io.tierflow.events.it;

import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventSerializer;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.tierflow.events.EventTypes;
import io.tierflow.events.EventsAutoConfiguration;
import io.tierflow.events.Topics;
import io.tierflow.events.it.EventsTestApplication.Abandoned;
import io.tierflow.events.it.EventsTestApplication.Created;
import io.tierflow.events.it.EventsTestApplication.Delivery;
import io.tierflow.events.it.EventsTestApplication.Outcome;
import io.tierflow.events.it.EventsTestApplication.Traced;
import io.tierflow.events.it.EventsTestApplication.WidgetCatalog;
import io.tierflow.events.it.EventsTestApplication.WidgetTally;
import io.tierflow.events.outbox.Outbox;
import io.tierflow.events.outbox.OutboxLocation;
import io.tierflow.events.outbox.OutboxRelay;
import io.tierflow.events.outbox.StoreOutboxes;
import io.tierflow.events.tracing.EventTraces;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.routing.PlacementPools;
import io.tierflow.testsupport.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The outbox and its relay in a tenant-data service: what commits reaches Kafka as a
 * CloudEvent keyed by tenant, in order, from every placement; what rolls back never does;
 * and a relay that was down catches up without doubling an effect.
 */
@SpringBootTest(classes = EventsTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DirtiesContext
class OutboxRelayIT {

	private static final String SERVICE = "relayit";

	private static final String TOPIC = EventsTestInfrastructure.topic(SERVICE);

	private static final Duration EVENTUALLY = Duration.ofSeconds(30);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static BrokerClient.Reader events;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		EventsTestInfrastructure.tenantDataService(registry, SERVICE);
	}

	@BeforeAll
	static void readEvents() {
		events = BrokerClient.read(TOPIC);
	}

	@AfterAll
	static void stopReading() {
		events.close();
	}

	@Autowired
	TenantProvisioner provisioner;

	@Autowired
	WidgetCatalog catalog;

	@Autowired
	WidgetTally tally;

	@Autowired
	OutboxRelay relay;

	@Autowired
	Outbox outbox;

	@Autowired
	Tracer tracer;

	@Autowired
	PlacementRepository placements;

	@Autowired
	PlacementPools pools;

	@Autowired
	@Qualifier(EventsAutoConfiguration.CONTROL)
	TransactionTemplate controlTx;

	@Autowired
	@Qualifier(EventsAutoConfiguration.CONTROL)
	DataSource control;

	@Test
	void rolledBackEventNeverReachesKafkaWhileCommittedOneArrivesAsCloudEvent() {
		UUID tenant = provision(Tier.SHARED);
		OffsetDateTime before = OffsetDateTime.now();

		Created abandoned = TenantContext.call(tenant, () -> {
			try {
				this.catalog.createThenFail("ghost");
				throw new AssertionError("createThenFail must throw");
			}
			catch (Abandoned ex) {
				return ex.created;
			}
		});
		Created created = TenantContext.call(tenant, () -> this.catalog.create("real", 7));

		await().atMost(EVENTUALLY).untilAsserted(() -> assertThat(events.find(created.eventId())).isPresent());
		// Same tenant, same partition: had the abandoned event been published, it would
		// precede the committed one.
		assertThat(events.keyedBy(tenant)).extracting((r) -> BrokerClient.header(r, "ce_id"))
			.containsExactly(created.eventId().toString());
		assertThat(events.withId(abandoned.eventId())).isEmpty();
		TenantContext.run(tenant, () -> {
			assertThat(this.catalog.widgets()).containsExactly("real");
			assertThat(this.catalog.inOutbox(abandoned.eventId())).isFalse();
		});

		ConsumerRecord<String, byte[]> record = events.find(created.eventId()).orElseThrow();
		assertThat(record.key()).isEqualTo(tenant.toString());
		assertThat(BrokerClient.header(record, "ce_specversion")).as("binary mode").isEqualTo("1.0");
		CloudEvent event = BrokerClient.cloudEvent(record);
		assertThat(event.getId()).isEqualTo(created.eventId().toString());
		assertThat(event.getType()).isEqualTo(EventsTestApplication.WIDGET_CREATED);
		assertThat(event.getSource()).isEqualTo(URI.create("//tierflow/" + SERVICE));
		assertThat(event.getSubject()).isEqualTo(created.widgetId().toString());
		assertThat(event.getTime()).isCloseTo(before, within(Duration.ofSeconds(30)));
		assertThat(event.getExtension("tenantid")).isEqualTo(tenant.toString());
		assertThat(event.getDataContentType()).isEqualTo("application/json");
		JsonNode data = JSON.readTree(event.getData().toBytes());
		assertThat(data.get("widgetId").asString()).isEqualTo(created.widgetId().toString());
		assertThat(data.get("name").asString()).isEqualTo("real");
		assertThat(data.get("sequence").asInt()).isEqualTo(7);
	}

	@Test
	void theTraceOfTheWriterTravelsThroughTheOutboxAndKafkaIntoTheConsumersEffect() {
		UUID tenant = provision(Tier.SHARED);
		Span request = this.tracer.nextSpan().name("test request").start();
		Created created;
		try (Tracer.SpanInScope scope = this.tracer.withSpan(request)) {
			created = TenantContext.call(tenant, () -> this.catalog.create("traced", 1));
		}
		finally {
			request.end();
		}
		String traceId = request.context().traceId();

		await().atMost(EVENTUALLY).untilAsserted(() -> assertThat(events.find(created.eventId())).isPresent());
		String sent = BrokerClient.header(events.find(created.eventId()).orElseThrow(), EventTraces.TRACEPARENT);
		// W3C: version-traceid-parentid-flags; the parent is the relay's publishing span.
		assertThat(sent).matches("00-" + traceId + "-[0-9a-f]{16}-0[01]");
		assertThat(sent).doesNotContain(request.context().spanId());

		await().atMost(EVENTUALLY)
			.untilAsserted(() -> assertThat(this.tally.traced(created.eventId())).as("consumed").isNotNull());
		Traced consumed = this.tally.traced(created.eventId());
		assertThat(consumed.traceparent()).as("what the consumer's own outbox rows store")
			.startsWith("00-" + traceId + "-")
			.isNotEqualTo(sent);
		assertThat(consumed.mdcTraceId()).as("the consumer's logs").isEqualTo(traceId);
	}

	@Test
	void eventsOfOneTenantArriveInTheOrderTheyWereAppended() {
		UUID tenant = provision(Tier.DEDICATED);
		UUID neighbour = provision(Tier.DEDICATED);

		List<String> appended = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			int sequence = i;
			appended.add(TenantContext.call(tenant, () -> this.catalog.create("w" + sequence, sequence))
				.eventId()
				.toString());
			if (i % 20 == 0) {
				// Another tenant's events in between, in the same outbox cluster.
				TenantContext.run(neighbour, () -> this.catalog.create("n" + sequence, sequence));
			}
		}

		await().atMost(EVENTUALLY).untilAsserted(() -> assertThat(events.keyedBy(tenant)).hasSize(200));
		assertThat(events.keyedBy(tenant)).extracting((r) -> BrokerClient.header(r, "ce_id"))
			.containsExactlyElementsOf(appended);
		await().atMost(EVENTUALLY)
			.untilAsserted(() -> assertThat(TenantContext.call(tenant, this.catalog::tallied)).isEqualTo(200));
		assertThat(this.tally.appliedFor(tenant)).as("order the consumer applied them in")
			.containsExactlyElementsOf(appended);
	}

	@ParameterizedTest
	@EnumSource(Tier.class)
	void eventsAreRelayedFromEveryPlacement(Tier tier) {
		UUID tenant = provision(tier);
		Created created = TenantContext.call(tenant, () -> this.catalog.create("placed-" + tier, 0));

		await().atMost(EVENTUALLY).untilAsserted(() -> {
			assertThat(events.find(created.eventId()))
				.hasValueSatisfying((r) -> assertThat(r.key()).isEqualTo(tenant.toString()));
			assertThat(TenantContext.call(tenant, this.catalog::tallied)).isEqualTo(1);
		});
		TenantContext.run(tenant, () -> assertThat(this.catalog.inOutbox(created.eventId())).isFalse());
		TenantPlacement placement = this.provisioner.find(tenant).orElseThrow();
		assertThat(placement.isolation()).isEqualTo(switch (tier) {
			case SHARED -> IsolationMode.ROW;
			case DEDICATED -> IsolationMode.SCHEMA;
			case ENTERPRISE -> IsolationMode.DATABASE;
		});
	}

	@Test
	void provisioningReplyIsRelayedFromTheControlOutbox() {
		try (BrokerClient.Reader replies = BrokerClient.read(Topics.TENANT_REPLIES)) {
			UUID tenant = provision(Tier.ENTERPRISE);
			await().atMost(EVENTUALLY).untilAsserted(() -> assertThat(replies.keyedBy(tenant)).hasSize(1));
			CloudEvent reply = BrokerClient.cloudEvent(replies.keyedBy(tenant).get(0));
			assertThat(reply.getType()).isEqualTo(EventTypes.TENANT_PROVISIONED);
			assertThat(reply.getExtension("tenantid")).isEqualTo(tenant.toString());
			JsonNode data = JSON.readTree(reply.getData().toBytes());
			assertThat(data.get("service").asString()).isEqualTo(SERVICE);
			assertThat(data.get("status").asString()).isEqualTo("READY");
		}
	}

	/**
	 * Stops the relay bean for good (a crashed process), so it runs last and dirties the
	 * context.
	 */
	@Test
	@Order(Integer.MAX_VALUE)
	@DirtiesContext(methodMode = DirtiesContext.MethodMode.AFTER_METHOD)
	void eventCommittedWhileTheRelayIsDownArrivesOnceItRestartsAndIsAppliedOnce() {
		UUID tenant = provision(Tier.SHARED);
		// Schemas of one database: the sweep probes their outboxes with one statement.
		List<UUID> dedicated = List.of(provision(Tier.DEDICATED), provision(Tier.DEDICATED), provision(Tier.DEDICATED));
		// Databases of their own, quiet by the time the relay is back: their outboxes are
		// probed in turn over plain connections, one a sweep here.
		List<UUID> enterprise = List.of(provision(Tier.ENTERPRISE), provision(Tier.ENTERPRISE));
		this.relay.stop();

		Created created = TenantContext.call(tenant, () -> this.catalog.create("while-down", 0));
		Created inSchema = TenantContext.call(dedicated.get(1), () -> this.catalog.create("while-down", 0));
		List<Created> inDatabases = new ArrayList<>();
		List<TenantPlacement> databases = new ArrayList<>();
		for (UUID id : enterprise) {
			inDatabases.add(TenantContext.call(id, () -> this.catalog.create("while-down", 0)));
			TenantPlacement placement = this.controlTx.execute((s) -> this.placements.find(id)).orElseThrow();
			this.pools.evict(placement.cluster(), placement.database());
			assertThat(this.pools.isOpen(placement.cluster(), placement.database(), true)).isFalse();
			databases.add(placement);
		}
		await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			assertThat(events.find(created.eventId())).isEmpty();
			assertThat(events.find(inSchema.eventId())).isEmpty();
			assertThat(TenantContext.call(tenant, () -> this.catalog.inOutbox(created.eventId()))).isTrue();
		});

		StoreOutboxes outboxes = new StoreOutboxes(this.control, this.controlTx, this.placements, this.pools);
		assertThat(outboxes.every()).filteredOn(OutboxLocation::cold)
			.extracting(OutboxLocation::name)
			.containsAll(databases.stream().map((p) -> p.cluster() + "/" + p.database() + "/" + p.schema()).toList());
		OutboxRelay restarted = new OutboxRelay(URI.create("//tierflow/" + SERVICE), producer(), outboxes::every,
				Duration.ofSeconds(1), 500, 2, 3, 1, EventTraces.NONE);
		restarted.start();
		try {
			await().atMost(EVENTUALLY).untilAsserted(() -> {
				assertThat(events.find(created.eventId())).isPresent();
				assertThat(events.find(inSchema.eventId())).isPresent();
				assertThat(TenantContext.call(tenant, this.catalog::tallied)).isEqualTo(1);
			});
			await().atMost(EVENTUALLY).untilAsserted(() -> {
				for (Created c : inDatabases) {
					assertThat(events.find(c.eventId())).isPresent();
				}
			});
			for (int i = 0; i < enterprise.size(); i++) {
				Created c = inDatabases.get(i);
				TenantContext.run(enterprise.get(i), () -> assertThat(this.catalog.inOutbox(c.eventId())).isFalse());
			}
			// Relayed without an owner pool to either database, and counted out of the
			// backlog once drained.
			for (TenantPlacement placement : databases) {
				assertThat(this.pools.isOpen(placement.cluster(), placement.database(), true)).isFalse();
			}
			await().atMost(EVENTUALLY).until(() -> restarted.backlog().rows() == 0);
			TenantContext.run(dedicated.get(1), () -> assertThat(this.catalog.inOutbox(inSchema.eventId())).isFalse());
			TenantContext.run(tenant, () -> assertThat(this.catalog.inOutbox(created.eventId())).isFalse());

			// The broker delivers it again, twice (a relay that crashed between publish
			// and
			// delete, a consumer rebalance): the effect stays counted once.
			CloudEvent event = BrokerClient.cloudEvent(events.find(created.eventId()).orElseThrow());
			BrokerClient.publish(TOPIC, tenant.toString(), event);
			BrokerClient.publish(TOPIC, tenant.toString(), event);
			await().atMost(EVENTUALLY)
				.untilAsserted(
						() -> assertThat(this.tally.deliveriesOf(created.eventId())).extracting(Delivery::outcome)
							.containsExactly(Outcome.APPLIED, Outcome.DUPLICATE, Outcome.DUPLICATE));
			assertThat(TenantContext.call(tenant, this.catalog::tallied)).isEqualTo(1);
		}
		finally {
			restarted.stop();
		}
	}

	@Test
	void appendOutsideTheStateChangingTransactionIsRefused() {
		UUID tenant = provision(Tier.SHARED);
		assertThatThrownBy(() -> TenantContext.run(tenant,
				() -> this.outbox.append(TOPIC, EventsTestApplication.WIDGET_CREATED, tenant, null, Map.of())))
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("inside the transaction");
	}

	private UUID provision(Tier tier) {
		UUID tenant = UUID.randomUUID();
		TenantPlacement placement = this.provisioner.provision(tenant, tier, "eu");
		assertThat(placement.state()).as(String.valueOf(placement.error())).isEqualTo(PlacementState.READY);
		return tenant;
	}

	private static KafkaProducer<String, CloudEvent> producer() {
		Map<String, Object> config = new HashMap<>(TestKafka.get().clientConfig());
		config.put(ProducerConfig.ACKS_CONFIG, "all");
		config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
		return new KafkaProducer<>(config, new StringSerializer(), new CloudEventSerializer());
	}

}
