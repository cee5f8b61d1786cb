package io.tierflow.mover;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.tierflow.mover.MoverTestApplication.NoteRepository;
import io.tierflow.tenancy.autopilot.Autopilot;
import io.tierflow.tenancy.autopilot.AutopilotConflictException;
import io.tierflow.tenancy.autopilot.PlacementPolicy;
import io.tierflow.tenancy.autopilot.TenantStatistics;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The placement autopilot on a real service instance: statistics from the tenants'
 * statements and the catalog, recommendations by the policy, an approved move and an
 * automatic one carried out by the mover, the plan as the floor, overrides.
 */
class AutopilotIT {

	private static final String SERVICE = "auto";

	private static ConfigurableApplicationContext instance;

	@BeforeAll
	static void start() {
		Map<String, String> properties = new LinkedHashMap<>(MoverTestApplication.properties(SERVICE));
		properties.put("tierflow.tenancy.autopilot.flush", "300ms");
		properties.put("tierflow.tenancy.autopilot.window", "1s");
		properties.put("tierflow.tenancy.placement-cache-ttl", "2s");
		instance = new SpringApplicationBuilder(MoverTestApplication.class).web(WebApplicationType.NONE)
			.properties(Map.copyOf(properties))
			.run();
	}

	@AfterAll
	static void stop() {
		instance.close();
	}

	@Test
	void aTenantPastARowThresholdIsRecommendedMovedWhenApprovedAndKeepsItsPlan() {
		Autopilot autopilot = instance.getBean(Autopilot.class);
		autopilot.setPolicy(policy(false, 200L, null), "test");
		UUID big = provision(Tier.SHARED);
		UUID small = provision(Tier.SHARED);
		UUID enterprise = provision(Tier.ENTERPRISE);
		Set<UUID> written = write(big, 300);
		write(small, 5);
		write(enterprise, 5);

		Autopilot.Recommendation recommended = await().atMost(Duration.ofSeconds(30))
			.until(() -> autopilot.recommendation(big).orElseThrow(),
					(r) -> r.advice().moves() && Long.valueOf(300).equals(r.figures().rows()));
		assertThat(recommended.advice().target()).isEqualTo(Tier.DEDICATED);
		assertThat(recommended.advice().actionable()).isTrue();
		assertThat(recommended.advice().reasons()).containsExactly("rows 300 >= 200");
		assertThat(recommended.plan()).isEqualTo(Tier.SHARED);
		// The others: under the threshold, and never below an enterprise plan.
		await().atMost(Duration.ofSeconds(30))
			.until(() -> instance.getBean(TenantStatistics.class)
				.find(enterprise)
				.map((s) -> s.rows() != null)
				.orElse(false));
		assertThat(autopilot.recommendations(false, 100)).extracting(Autopilot.Recommendation::tenantId)
			.contains(big)
			.doesNotContain(small, enterprise);
		assertThat(autopilot.recommendation(enterprise).orElseThrow().advice().target()).isEqualTo(Tier.ENTERPRISE);

		Autopilot.Decision approved = autopilot.approve(big, "operator");
		assertThat(approved.state()).isEqualTo("QUEUED");
		assertThat(approved.mode()).isEqualTo("APPROVED");
		assertThatThrownBy(() -> autopilot.approve(big, "operator")).isInstanceOf(AutopilotConflictException.class)
			.hasMessageContaining("under way");

		Autopilot.Decision moved = await().atMost(Duration.ofSeconds(60))
			.until(() -> autopilot.decisions(big, 1).get(0),
					(d) -> !d.state().equals("QUEUED") && !d.state().equals("MOVING"));
		assertThat(moved.state()).as(moved.error()).isEqualTo("MOVED");
		assertThat(moved.moveId()).isNotNull();
		assertThat(moved.reason()).isEqualTo("rows 300 >= 200");
		TenantPlacement placed = instance.getBean(TenantProvisioner.class).find(big).orElseThrow();
		assertThat(placed.tier()).isEqualTo(Tier.DEDICATED);
		assertThat(plan(big)).isEqualTo(Tier.SHARED);
		assertThat(new HashSet<>(TenantContext.call(big, () -> notes().ids()))).isEqualTo(written);
		// Where it belongs now; and a tenant moved lately is not moved again.
		assertThat(autopilot.recommendation(big).orElseThrow().advice().moves()).isFalse();
	}

	@Test
	void anAutomaticPolicyMovesATenantByItselfAndOverridesHold() {
		Autopilot autopilot = instance.getBean(Autopilot.class);
		UUID busy = provision(Tier.SHARED);
		UUID frozen = provision(Tier.SHARED);
		autopilot.override(frozen, null, true, "customer asked", "operator");
		autopilot.setPolicy(policy(true, 150L, null), "test");
		write(busy, 200);
		write(frozen, 200);

		Autopilot.Decision auto = await().atMost(Duration.ofSeconds(60))
			.until(() -> autopilot.decisions(busy, 1).stream().findFirst().orElse(null),
					(d) -> d != null && d.state().equals("MOVED"));
		assertThat(auto.mode()).isEqualTo("AUTO");
		assertThat(auto.decidedBy()).isEqualTo("autopilot");
		assertThat(instance.getBean(TenantProvisioner.class).find(busy).orElseThrow().tier()).isEqualTo(Tier.DEDICATED);

		Autopilot.Recommendation held = autopilot.recommendation(frozen).orElseThrow();
		assertThat(held.advice().moves()).isFalse();
		assertThat(held.advice().reasons()).singleElement().asString().contains("frozen");
		assertThat(autopilot.decisions(frozen, 10)).isEmpty();
		assertThat(autopilot.clearOverride(frozen)).isTrue();
		autopilot.setPolicy(policy(false, 150L, null), "test");
	}

	@Test
	void writeRateAndP95AreTakenOverAWindow() {
		UUID tenant = provision(Tier.SHARED);
		write(tenant, 100);
		TenantStatistics.Stat stat = await().atMost(Duration.ofSeconds(30))
			.until(() -> instance.getBean(TenantStatistics.class).find(tenant).orElse(null),
					(s) -> s != null && s.writesPerSecond() != null && s.writesPerSecond() > 0);
		assertThat(stat.p95Millis()).isPositive();
	}

	private static PlacementPolicy policy(boolean auto, Long rows, Double writes) {
		return new PlacementPolicy(List.of(new PlacementPolicy.Rule(Tier.DEDICATED, rows, null, null, writes)), 0.2,
				Duration.ofHours(1), auto, 2, 1, null, null);
	}

	private static Tier plan(UUID tenant) {
		TransactionTemplate control = instance.getBean("controlTransactionTemplate", TransactionTemplate.class);
		return control.execute((s) -> instance.getBean(PlacementRepository.class).planTier(tenant)).orElseThrow();
	}

	private static Set<UUID> write(UUID tenant, int rows) {
		Set<UUID> ids = new HashSet<>();
		TenantContext.run(tenant, () -> {
			for (int i = 0; i < rows; i++) {
				ids.add(notes().add("row " + i));
			}
		});
		return ids;
	}

	private static UUID provision(Tier tier) {
		UUID tenant = UUID.randomUUID();
		TenantPlacement placed = instance.getBean(TenantProvisioner.class).provision(tenant, tier, "eu");
		assertThat(placed.state()).as(String.valueOf(placed.error())).isEqualTo(PlacementState.READY);
		return tenant;
	}

	private static NoteRepository notes() {
		return instance.getBean(NoteRepository.class);
	}

}
