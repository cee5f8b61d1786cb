package io.tierflow.events.it;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.tierflow.events.DeadLetters;
import io.tierflow.events.DeadLetters.Reason;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import io.cloudevents.CloudEvent;
import io.tierflow.events.it.EventsTestApplication.Binding;
import io.tierflow.events.it.EventsTestApplication.Delivery;
import io.tierflow.events.it.EventsTestApplication.Outcome;
import io.tierflow.events.it.EventsTestApplication.WidgetCatalog;
import io.tierflow.events.it.EventsTestApplication.WidgetCreated;
import io.tierflow.events.it.EventsTestApplication.WidgetTally;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Spring Cloud Stream functional consumer that applies effects through the inbox: it
 * acts for the event's tenant and leaves nothing bound, retries what may succeed, sends
 * what never can to the dead-letter topic, and keeps its partition moving.
 */
@SpringBootTest(classes = EventsTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext
class ConsumerIT {

	private static final String SERVICE = "consumerit";

	private static final String TOPIC = EventsTestInfrastructure.topic(SERVICE);

	/** spring.cloud.stream.bindings.widgetTally-in-0.consumer.max-attempts */
	private static final int MAX_ATTEMPTS = 3;

	private static final Duration EVENTUALLY = Duration.ofSeconds(30);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static BrokerClient.Reader deadLetters;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		EventsTestInfrastructure.tenantDataService(registry, SERVICE);
	}

	@BeforeAll
	static void readDeadLetters() {
		deadLetters = BrokerClient.read(EventsTestInfrastructure.deadLetterTopic(SERVICE));
	}

	@AfterAll
	static void stopReading() {
		deadLetters.close();
	}

	@Autowired
	TenantProvisioner provisioner;

	@Autowired
	MeterRegistry meters;

	@Autowired
	WidgetCatalog catalog;

	@Autowired
	WidgetTally tally;

	@Test
	void consumerActsForTheEventsTenantForTheWholeRecord() {
		UUID shared = provision(Tier.SHARED);
		UUID enterprise = provision(Tier.ENTERPRISE);
		String a1 = publish(shared, "a1");
		String b1 = publish(enterprise, "b1");
		String a2 = publish(shared, "a2");

		await().atMost(EVENTUALLY)
			.untilAsserted(() -> assertThat(this.tally.appliedFor(shared)).containsExactly(a1, a2));
		await().atMost(EVENTUALLY)
			.untilAsserted(() -> assertThat(this.tally.appliedFor(enterprise)).containsExactly(b1));
		for (String id : new String[] { a1, b1, a2 }) {
			UUID tenant = id.equals(b1) ? enterprise : shared;
			assertThat(this.tally.deliveriesOf(id)).isNotEmpty().allSatisfy((d) -> {
				// The whole record runs with its tenant (parsing, effect, logs), not only
				// the effect.
				assertThat(d.before()).as("bound before %s", id).isEqualTo(Binding.of(tenant));
				assertThat(d.during()).as("bound while applying %s", id).isEqualTo(Binding.of(tenant));
				assertThat(d.after()).as("bound after %s", id).isEqualTo(Binding.of(tenant));
			});
		}
		// Each effect landed in its own tenant's store.
		assertThat(TenantContext.call(shared, this.catalog::tallied)).isEqualTo(2);
		assertThat(TenantContext.call(enterprise, this.catalog::tallied)).isEqualTo(1);
	}

	@Test
	void redeliveredEventIsAppliedOnce() {
		UUID tenant = provision(Tier.DEDICATED);
		String id = UUID.randomUUID().toString();
		CloudEvent event = widgetEvent(id, tenant, "twice");
		BrokerClient.publish(TOPIC, tenant.toString(), event);
		BrokerClient.publish(TOPIC, tenant.toString(), event);

		await().atMost(EVENTUALLY)
			.untilAsserted(() -> assertThat(this.tally.deliveriesOf(id)).extracting(Delivery::outcome)
				.containsExactly(Outcome.APPLIED, Outcome.DUPLICATE));
		assertThat(TenantContext.call(tenant, this.catalog::tallied)).isEqualTo(1);
	}

	@Test
	void eventWithMalformedDataGoesToTheDeadLetterTopicWithoutRetryAndThePartitionKeepsMoving() {
		UUID tenant = provision(Tier.SHARED);
		String poison = UUID.randomUUID().toString();
		BrokerClient.publish(TOPIC, tenant.toString(),
				BrokerClient
					.event(poison, EventsTestApplication.WIDGET_CREATED, tenant,
							"{\"widgetId\": not json".getBytes(StandardCharsets.UTF_8))
					.build());
		double before = deadLettered(Reason.MALFORMED);
		String next = publish(tenant, "after-malformed");

		assertDeadLettered(poison, "MalformedEventException");
		assertCounted(Reason.MALFORMED, before);
		await().atMost(EVENTUALLY).untilAsserted(() -> assertThat(this.tally.appliedFor(tenant)).containsExactly(next));
		assertThat(this.tally.deliveriesOf(poison)).as("attempts: not retriable").hasSize(1);
		assertThat(TenantContext.call(tenant, this.catalog::tallied)).isEqualTo(1);
	}

	@Test
	void eventWithoutTenantGoesToTheDeadLetterTopicWithoutRetryAndThePartitionKeepsMoving() {
		UUID tenant = provision(Tier.SHARED);
		String poison = UUID.randomUUID().toString();
		// Keyed like the tenant's events, so it sits in front of them in their partition.
		BrokerClient.publish(TOPIC, tenant.toString(),
				BrokerClient.event(poison, EventsTestApplication.WIDGET_CREATED, null, data("orphan")).build());
		double before = deadLettered(Reason.MALFORMED);
		String next = publish(tenant, "after-orphan");

		assertDeadLettered(poison, "ce_tenantid");
		assertCounted(Reason.MALFORMED, before);
		await().atMost(EVENTUALLY).untilAsserted(() -> assertThat(this.tally.appliedFor(tenant)).containsExactly(next));
		assertThat(this.tally.deliveriesOf(poison)).as("attempts: not retriable").hasSize(1);
		// Earlier records on this listener thread were bound to tenants: nothing of them
		// is left.
		assertThat(this.tally.deliveriesOf(poison).get(0).before()).isEqualTo(Binding.NONE);
		assertThat(this.tally.deliveriesOf(poison).get(0).after()).isEqualTo(Binding.NONE);
	}

	@Test
	void effectThatKeepsFailingIsRetriedAsConfiguredThenDeadLetteredAndThePartitionKeepsMoving() {
		UUID tenant = provision(Tier.DEDICATED);
		double before = deadLettered(Reason.RETRIES_EXHAUSTED);
		String poison = publish(tenant, WidgetTally.EXPLODE);
		String next = publish(tenant, "after-explosion");

		assertDeadLettered(poison, "failed");
		assertCounted(Reason.RETRIES_EXHAUSTED, before);
		await().atMost(EVENTUALLY).untilAsserted(() -> assertThat(this.tally.appliedFor(tenant)).containsExactly(next));
		assertThat(this.tally.deliveriesOf(poison)).hasSize(MAX_ATTEMPTS).allSatisfy((d) -> {
			assertThat(d.outcome()).isEqualTo(Outcome.FAILED);
			assertThat(d.before()).isEqualTo(Binding.of(tenant));
			assertThat(d.during()).isEqualTo(Binding.of(tenant));
			assertThat(d.after()).isEqualTo(Binding.of(tenant));
		});
		// The failed effect's transaction took the inbox entry with it.
		TenantContext.run(tenant, () -> {
			assertThat(this.catalog.inInbox(poison)).isFalse();
			assertThat(this.catalog.inInbox(next)).isTrue();
			assertThat(this.catalog.tallied()).isEqualTo(1);
		});
	}

	@Test
	void effectThatFailsOnceIsAppliedOnceOnRetry() {
		UUID tenant = provision(Tier.ENTERPRISE);
		String flaky = publish(tenant, WidgetTally.FLAKY);

		await().atMost(EVENTUALLY)
			.untilAsserted(() -> assertThat(this.tally.deliveriesOf(flaky)).extracting(Delivery::outcome)
				.containsExactly(Outcome.FAILED, Outcome.APPLIED));
		assertThat(TenantContext.call(tenant, this.catalog::tallied)).isEqualTo(1);
		assertThat(deadLetters.withId(flaky)).isEmpty();
	}

	/** Dead letters counted so far for the test topic and {@code reason}. */
	private double deadLettered(Reason reason) {
		Counter counter = this.meters.find(DeadLetters.METER)
			.tag("topic", TOPIC)
			.tag("reason", reason.tag())
			.tag("service", SERVICE)
			.counter();
		return (counter != null) ? counter.count() : 0;
	}

	/** One more dead letter counted, by topic and reason, never by tenant. */
	private void assertCounted(Reason reason, double before) {
		await().atMost(EVENTUALLY).untilAsserted(() -> assertThat(deadLettered(reason)).isEqualTo(before + 1));
		assertThat(this.meters.get(DeadLetters.METER).counters())
			.allSatisfy((c) -> assertThat(c.getId().getTags()).extracting(Tag::getKey)
				.containsExactlyInAnyOrder("service", "topic", "reason"));
	}

	private void assertDeadLettered(String eventId, String reason) {
		await().atMost(EVENTUALLY).untilAsserted(() -> assertThat(deadLetters.withId(eventId)).hasSize(1));
		ConsumerRecord<String, byte[]> dead = deadLetters.find(eventId).orElseThrow();
		assertThat(BrokerClient.header(dead, "x-original-topic")).isEqualTo(TOPIC);
		assertThat(BrokerClient.header(dead, "x-exception-stacktrace")).contains(reason);
	}

	/** Publishes a widget event for {@code tenant} as another service would. */
	private String publish(UUID tenant, String name) {
		String id = UUID.randomUUID().toString();
		BrokerClient.publish(TOPIC, tenant.toString(), widgetEvent(id, tenant, name));
		return id;
	}

	private static CloudEvent widgetEvent(String id, UUID tenant, String name) {
		return BrokerClient.event(id, EventsTestApplication.WIDGET_CREATED, tenant, data(name)).build();
	}

	private static byte[] data(String name) {
		return JSON.writeValueAsBytes(new WidgetCreated(UUID.randomUUID(), name, 0));
	}

	private UUID provision(Tier tier) {
		UUID tenant = UUID.randomUUID();
		TenantPlacement placement = this.provisioner.provision(tenant, tier, "eu");
		assertThat(placement.state()).as(String.valueOf(placement.error())).isEqualTo(PlacementState.READY);
		return tenant;
	}

}
