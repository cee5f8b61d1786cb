package io.tierflow.mover;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tierflow.events.DomainEvent;
import io.tierflow.events.ErasedTenantEvents;
import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.inbox.EventInbox;
import io.tierflow.events.tenant.TenantCreated;
import io.tierflow.events.tenant.TenantEraseRequested;
import io.tierflow.events.tenant.TenantErased;
import io.tierflow.events.tenant.TenantStatusChanged;
import io.tierflow.mover.MoverTestApplication.NoteRepository;
import io.tierflow.servicetest.TestEvents;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantErasedException;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.TenantSuspendedException;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.routing.PlacementDirectory;
import io.tierflow.testsupport.TenantTraces;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A service's part in offboarding over real Kafka and PostgreSQL: tenant.deleted suspends
 * the tenant, tenant.erase_requested erases it on every isolation mode and answers a
 * report; nothing of the tenant is left in any database of the service but its tombstone,
 * its neighbours are untouched, a repeated request answers the same report, an erase a
 * dead process left half done is finished with the same report, and late events never
 * bring the tenant back.
 */
class TenantEraserIT {

	private static final String SERVICE = "eraser";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static ConfigurableApplicationContext instance;

	@BeforeAll
	static void start() {
		Map<String, String> properties = new java.util.HashMap<>(MoverTestApplication.properties(SERVICE));
		properties.put("tierflow.tenancy.placement-cache-ttl", "1s");
		properties.put("tierflow.mover.cutover-lag", "500ms");
		properties.put("tierflow.mover.erase-outbox-drain-wait", "5s");
		instance = new SpringApplicationBuilder(MoverTestApplication.class).web(WebApplicationType.NONE)
			.properties(Map.copyOf(properties))
			.run();
	}

	@AfterAll
	static void stop() {
		instance.close();
	}

	@ParameterizedTest
	@EnumSource(Tier.class)
	void erasesATenantOnEveryTierAndLeavesOnlyItsTombstone(Tier tier) throws Exception {
		UUID a = provision(tier);
		UUID neighbour = provision(tier);
		write(a, 300);
		write(neighbour, 200);
		inboxEntry(a);
		Map<String, TableChecksum> neighbourBefore = checksums(neighbour);

		try (TestEvents.Reader replies = TestEvents.read(Topics.TENANT_REPLIES)) {
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_DELETED, a, UUID.randomUUID().toString(),
					new TenantStatusChanged(a, "PENDING_ERASE"));
			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThatThrownBy(() -> TenantContext.run(a, () -> notes().ids()))
					.isInstanceOf(TenantSuspendedException.class));
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_ERASE_REQUESTED, a, UUID.randomUUID().toString(),
					new TenantEraseRequested(a, OffsetDateTime.now()));
			JsonNode report = awaitReports(replies, a, 1).get(0);
			assertThat(report.get("service").asString()).isEqualTo(SERVICE);
			assertThat(report.get("tier").asString()).isEqualTo(tier.name());
			assertThat(report.get("rowsDeleted").get("notes").asLong()).isEqualTo(300);
			assertThat(report.get("rowsDeleted").get("inbox").asLong()).isEqualTo(1);
			assertThat(report.get("removed").get("controlInboxRows").asLong()).isPositive();
			assertThat(report.get("erasedAt").isNull()).isFalse();
			switch (tier) {
				case SHARED -> assertThat(report.get("storeDropped").isNull()).isTrue();
				case DEDICATED -> assertThat(report.get("storeDropped").asString()).startsWith("SCHEMA ");
				case ENTERPRISE -> assertThat(report.get("storeDropped").asString()).startsWith("DATABASE ");
			}

			// Asked again (a redelivery, or the saga asking once more): the same report.
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_ERASE_REQUESTED, a, UUID.randomUUID().toString(),
					new TenantEraseRequested(a, OffsetDateTime.now()));
			List<JsonNode> both = awaitReports(replies, a, 2);
			assertThat(both.get(1)).isEqualTo(both.get(0));
		}

		assertOnlyTheTombstoneIsLeft(a);
		assertThat(checksums(neighbour)).isEqualTo(neighbourBefore);
		assertThat(TenantContext.call(neighbour, () -> notes().ids())).hasSize(200);
		assertThatThrownBy(() -> TenantContext.run(a, () -> notes().ids())).isInstanceOf(TenantErasedException.class);
	}

	@Test
	void aTenantMovedBeforeItsEraseLeavesNoFenceMarkOrMoveRecordBehind() throws Exception {
		UUID a = provision(Tier.SHARED);
		write(a, 50);
		TenantMover mover = instance.getBean(TenantMover.class);
		MoveReport moved = mover.move(a, Tier.DEDICATED, "eu", null, TenantMover.Options.defaults(),
				TenantMover.Progress.NONE);
		assertThat(moved.succeeded()).isTrue();
		mover.removeSource(moved, Duration.ofSeconds(10));
		assertThat(TenantTraces.inDatabases(TestPostgres.get(), a, List.of(SERVICE + "_shared")))
			.as("the move leaves its fence mark in the source database")
			.isNotEmpty();

		TenantErased report = eraser().erase(a);

		assertThat(report.rowsDeleted()).containsEntry("notes", 50L);
		assertThat(report.removed()).containsEntry("moves", 1L);
		assertOnlyTheTombstoneIsLeft(a);
	}

	@Test
	void anEraseLeftHalfDoneByADeadProcessIsFinishedWithTheReportItCounted() throws Exception {
		UUID a = provision(Tier.DEDICATED);
		write(a, 40);
		PlacementRepository placements = instance.getBean(PlacementRepository.class);
		TransactionTemplate controlTx = instance.getBean("controlTransactionTemplate", TransactionTemplate.class);
		// What a process killed after counting leaves: the tombstone in ERASING, with its
		// report, and half of the rows gone.
		TenantPlacement placement = placements.find(a).orElseThrow();
		TenantErased counted = new TenantErased(a, SERVICE, Tier.DEDICATED, placement.isolation(), placement.cluster(),
				"SCHEMA " + placement.store(), Map.of("notes", 40L, "inbox", 0L, "outbox", 0L), Map.of(), Map.of(),
				null);
		controlTx.executeWithoutResult((s) -> {
			placements.startErasure(a, placements.findForUpdate(a).orElseThrow());
			placements.recordErasureReport(a, JSON.writeValueAsString(counted));
		});
		try (Connection con = TestPostgres.get().adminConnection(SERVICE + "_dedicated");
				Statement st = con.createStatement()) {
			st.executeUpdate("delete from " + placement.schema() + ".notes where ctid in (select ctid from "
					+ placement.schema() + ".notes limit 20)");
		}
		assertThat(placements.erasing()).contains(a);

		// The watch that runs at start-up and every few seconds finishes it.
		await().atMost(Duration.ofSeconds(60)).until(() -> !controlTx.execute((s) -> placements.erasing()).contains(a));
		TenantErased again = eraser().erase(a);
		assertThat(again.rowsDeleted()).isEqualTo(counted.rowsDeleted());
		assertThat(again.storeDropped()).isEqualTo(counted.storeDropped());
		assertOnlyTheTombstoneIsLeft(a);
	}

	@Test
	void lateEventsOfAnErasedTenantAreDroppedAndNeverPlaceItAgain() throws Exception {
		UUID a = provision(Tier.SHARED);
		eraser().erase(a);
		ErasedTenantEvents erased = instance.getBean(ErasedTenantEvents.class);
		long before = erased.dropped();
		assertThat(erased.drop(a, "a late event")).isTrue();
		assertThat(erased.dropped()).isEqualTo(before + 1);
		assertThat(erased.drop(UUID.randomUUID(), "an unknown tenant's event")).isFalse();

		// A replayed tenant.created finds the tombstone: nothing is placed again.
		TestEvents.publish(Topics.TENANT, EventTypes.TENANT_CREATED, a, UUID.randomUUID().toString(),
				new TenantCreated(a, "late", "late", "STANDARD", Tier.SHARED, "eu"));
		UUID probe = provision(Tier.SHARED); // any later lifecycle event has been
												// processed
		try (TestEvents.Reader replies = TestEvents.read(Topics.TENANT_REPLIES)) {
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_ERASE_REQUESTED, probe, UUID.randomUUID().toString(),
					new TenantEraseRequested(probe, OffsetDateTime.now()));
			awaitReports(replies, probe, 1);
		}
		assertThat(instance.getBean(TenantProvisioner.class).find(a)).isEmpty();
		assertThat(instance.getBean(PlacementDirectory.class).erased(a)).isTrue();
		assertThatThrownBy(() -> instance.getBean(TenantProvisioner.class).provision(a, Tier.SHARED, "eu"))
			.isInstanceOf(TenantErasedException.class);
	}

	/**
	 * The catalog scan finds the tenant in its tombstone only (the replies it sent leave
	 * the control outbox once relayed).
	 */
	private static void assertOnlyTheTombstoneIsLeft(UUID tenant) {
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			List<String> traces = TenantTraces.inDatabases(TestPostgres.get(), tenant, List.of(SERVICE + "_"));
			assertThat(traces).isNotEmpty()
				.allMatch((t) -> t.startsWith(SERVICE + "_control.tierflow.tenant_erasure."), "in the tombstone");
		});
	}

	private static List<JsonNode> awaitReports(TestEvents.Reader replies, UUID tenant, int n) {
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> replies.data(EventTypes.TENANT_ERASED, tenant).size() >= n);
		return replies.data(EventTypes.TENANT_ERASED, tenant);
	}

	private static UUID provision(Tier tier) {
		UUID tenant = UUID.randomUUID();
		TenantPlacement p = instance.getBean(TenantProvisioner.class).provision(tenant, tier, "eu");
		assertThat(p.state()).isEqualTo(PlacementState.READY);
		return tenant;
	}

	private static void write(UUID tenant, int rows) {
		TenantContext.run(tenant, () -> {
			for (int i = 0; i < rows; i++) {
				notes().add("note " + i);
			}
		});
	}

	private static void inboxEntry(UUID tenant) {
		EventInbox inbox = instance.getBean(EventInbox.class);
		inbox.handleOnce("eraser-it",
				new DomainEvent(UUID.randomUUID().toString(), "test", "test", tenant, null, null, new byte[0]), () -> {
				});
	}

	private static Map<String, TableChecksum> checksums(UUID tenant) throws Exception {
		TenantPlacement p = instance.getBean(TenantProvisioner.class).find(tenant).orElseThrow();
		StoreRemoval removal = new StoreRemoval(instance.getBean(PlacementRepository.class), null,
				instance.getBean(io.tierflow.tenancy.routing.PlacementPools.class));
		Store store = removal.store(p);
		try (Connection con = store.connect()) {
			return TableChecksum.of(con, store, TenantTable.of(con, store.schema()), tenant);
		}
	}

	private static TenantEraser eraser() {
		return instance.getBean(TenantEraser.class);
	}

	private static NoteRepository notes() {
		return instance.getBean(NoteRepository.class);
	}

}
