package io.tierflow.mover;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.tenant.MovePhase;
import io.tierflow.events.tenant.TierChangeRequested;
import io.tierflow.mover.MoverTestApplication.NoteRepository;
import io.tierflow.servicetest.TestEvents;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A service's part in tenant-service's tier-change saga over real Kafka: the request
 * arrives on the tenant topic, the move runs while the tenant is written to, progress and
 * the result go out on the replies topic, the old data is removed, a redelivered request
 * starts nothing, and a rollback request moves the tenant back.
 */
class TierMoveParticipantIT {

	private static final String SERVICE = "moverp";

	private static ConfigurableApplicationContext instance;

	@BeforeAll
	static void start() {
		Map<String, String> properties = new java.util.HashMap<>(MoverTestApplication.properties(SERVICE));
		// Routes are cached for a second only, so the source goes soon after the switch.
		properties.put("tierflow.tenancy.placement-cache-ttl", "1s");
		properties.put("tierflow.mover.source-removal-delay", "0s");
		properties.put("tierflow.mover.cutover-lag", "500ms");
		instance = new SpringApplicationBuilder(MoverTestApplication.class).web(WebApplicationType.NONE)
			.properties(Map.copyOf(properties))
			.run();
	}

	@AfterAll
	static void stop() {
		instance.close();
	}

	@Test
	void movesOnRequestReportsProgressAndResultAndMovesBackOnRollback() throws Exception {
		UUID a = provision(Tier.SHARED);
		TenantContext.run(a, () -> {
			for (int i = 0; i < 500; i++) {
				notes().add("seed " + i);
			}
		});
		UUID change = UUID.randomUUID();
		Writers writers = new Writers();
		writers.start(instance, a);
		try (TestEvents.Reader replies = TestEvents.read(Topics.TENANT_REPLIES)) {
			TierChangeRequested forward = new TierChangeRequested(a, change, "STANDARD", "PROFESSIONAL", Tier.SHARED,
					Tier.DEDICATED, false, List.of(SERVICE, "other"), false);
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_TIER_CHANGE_REQUESTED, a, change.toString(), forward);
			JsonNode result = awaitResult(replies, a, change, false);
			assertThat(result.get("reason").isNull()).as(result.toString()).isTrue();
			assertThat(result.get("succeeded").asBoolean()).isTrue();
			assertThat(result.get("service").asString()).isEqualTo(SERVICE);
			assertThat(result.get("tier").asString()).isEqualTo("DEDICATED");
			assertThat(result.get("isolation").asString()).isEqualTo("SCHEMA");
			assertThat(result.get("epoch").asLong()).isEqualTo(2);
			assertThat(result.get("checksums").get("notes").get("rows").asLong()).isGreaterThanOrEqualTo(500);
			assertThat(result.get("fencedMs").asLong()).isLessThan(2000);
			// On the wire a phase is its name.
			List<MovePhase> phases = replies.data(EventTypes.TENANT_MOVE_PROGRESS, a)
				.stream()
				.filter((p) -> p.get("changeId").asString().equals(change.toString()))
				.map((p) -> MovePhase.valueOf(p.get("phase").asString()))
				.toList();
			assertThat(phases).contains(MovePhase.PREPARING, MovePhase.STREAMING, MovePhase.VERIFYING, MovePhase.FENCED,
					MovePhase.SWITCHED, MovePhase.REMOVING_SOURCE);
			// The old rows were removed before the result was sent.
			assertThat(countIn(SERVICE + "_shared", "shared.notes", a)).isZero();

			// The same request again (a redelivery, or the saga's retry): no second move,
			// no second answer.
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_TIER_CHANGE_REQUESTED, a, change + "-again", forward);
			UUID probe = UUID.randomUUID();
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_TIER_CHANGE_REQUESTED, a, probe.toString(),
					new TierChangeRequested(a, probe, "PROFESSIONAL", "PROFESSIONAL", Tier.DEDICATED, Tier.DEDICATED,
							false, List.of(SERVICE), false));
			// Already on the tier asked for: answered at once, nothing moved. Its answer
			// comes after any answer to the redelivery, which is on the same partition.
			assertThat(awaitResult(replies, a, probe, false).get("succeeded").asBoolean()).isTrue();
			assertThat(results(replies, a, change, false)).hasSize(1);
			assertThat(movesOf(a)).isEqualTo(1);

			// The saga rolls back: this service moves the tenant back where it was.
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_TIER_CHANGE_ROLLBACK_REQUESTED, a, change + "-rollback",
					new TierChangeRequested(a, change, "PROFESSIONAL", "STANDARD", Tier.DEDICATED, Tier.SHARED, false,
							List.of(SERVICE), true));
			JsonNode back = awaitResult(replies, a, change, true);
			assertThat(back.get("succeeded").asBoolean()).as(back.toString()).isTrue();
			assertThat(back.get("isolation").asString()).isEqualTo("ROW");
			assertThat(back.get("epoch").asLong()).isEqualTo(3);
		}
		finally {
			writers.stop();
		}
		assertThat(writers.failures).isEmpty();
		TenantPlacement now = instance.getBean(TenantProvisioner.class).find(a).orElseThrow();
		assertThat(now.tier()).isEqualTo(Tier.SHARED);
		// Every acknowledged write there exactly once, after two moves.
		List<UUID> ids = TenantContext.call(a, () -> notes().ids());
		assertThat(ids).hasSameSizeAs(new HashSet<>(ids));
		assertThat(new HashSet<>(ids)).containsAll(writers.acked(a));
		assertThat(ids).hasSize(500 + writers.acked(a).size());
		// The schema it had in between is gone, and no capture is left.
		assertThat(count(SERVICE + "_dedicated", "select count(*) from pg_namespace where nspname = '"
				+ io.tierflow.tenancy.placement.StoreNames.tenantSchema(a) + "'"))
			.isZero();
		assertThat(count(SERVICE + "_shared", "select count(*) from pg_replication_slots where slot_name like"
				+ " 'tierflow\\_mv\\_%' and database like '" + SERVICE + "\\_%'"))
			.isZero();
	}

	@Test
	void aMoveThatCannotStartIsAnsweredAsFailedWithItsReasonOnce() throws Exception {
		UUID a = provision(Tier.SHARED);
		UUID change = UUID.randomUUID();
		try (TestEvents.Reader replies = TestEvents.read(Topics.TENANT_REPLIES)) {
			// Rebalancing needs another shared cluster in the region; there is none.
			TierChangeRequested rebalance = new TierChangeRequested(a, change, "STANDARD", "STANDARD", Tier.SHARED,
					Tier.SHARED, true, null, false);
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_TIER_CHANGE_REQUESTED, a, change.toString(), rebalance);
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_TIER_CHANGE_REQUESTED, a, change.toString(), rebalance); // redelivered
			JsonNode result = awaitResult(replies, a, change, false);
			assertThat(result.get("succeeded").asBoolean()).isFalse();
			assertThat(result.get("reason").asString()).containsIgnoringCase("shared");
			assertThat(result.get("isolation").asString()).isEqualTo("ROW");
			UUID probe = UUID.randomUUID();
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_TIER_CHANGE_REQUESTED, a, probe.toString(),
					new TierChangeRequested(a, probe, "STANDARD", "STANDARD", Tier.SHARED, Tier.SHARED, false, null,
							false));
			awaitResult(replies, a, probe, false);
			assertThat(results(replies, a, change, false)).hasSize(1);
		}
		assertThat(movesOf(a)).isZero();
		assertThat(instance.getBean(TenantProvisioner.class).find(a).orElseThrow().epoch()).isEqualTo(1);
	}

	private static JsonNode awaitResult(TestEvents.Reader replies, UUID tenant, UUID change, boolean rollback) {
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> !results(replies, tenant, change, rollback).isEmpty());
		return results(replies, tenant, change, rollback).get(0);
	}

	private static List<JsonNode> results(TestEvents.Reader replies, UUID tenant, UUID change, boolean rollback) {
		return replies.data(EventTypes.TENANT_MIGRATED, tenant)
			.stream()
			.filter((r) -> r.get("changeId").asString().equals(change.toString())
					&& r.get("rollback").asBoolean() == rollback)
			.toList();
	}

	private static UUID provision(Tier tier) {
		UUID tenant = UUID.randomUUID();
		TenantPlacement p = instance.getBean(TenantProvisioner.class).provision(tenant, tier, "eu");
		assertThat(p.state()).isEqualTo(PlacementState.READY);
		return tenant;
	}

	private static NoteRepository notes() {
		return instance.getBean(NoteRepository.class);
	}

	private static long movesOf(UUID tenant) throws Exception {
		return count(SERVICE + "_control", "select count(*) from tierflow.tenant_move where tenant_id = '" + tenant
				+ "' and change_id is not null");
	}

	private static long countIn(String database, String table, UUID tenant) throws Exception {
		return count(database, "select count(*) from " + table + " where tenant_id = '" + tenant + "'");
	}

	private static long count(String database, String sql) throws Exception {
		try (Connection con = TestPostgres.get().adminConnection(database);
				Statement st = con.createStatement();
				ResultSet rs = st.executeQuery(sql)) {
			rs.next();
			return rs.getLong(1);
		}
	}

}
