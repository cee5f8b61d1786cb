package io.tierflow.tenancy.autopilot;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.List;

import io.tierflow.tenancy.autopilot.PlacementAdvisor.Advice;
import io.tierflow.tenancy.autopilot.PlacementAdvisor.Figures;
import io.tierflow.tenancy.autopilot.PlacementAdvisor.Override;
import io.tierflow.tenancy.placement.Tier;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlacementAdvisorTest {

	private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

	private static final PlacementPolicy POLICY = new PlacementPolicy(
			List.of(new PlacementPolicy.Rule(Tier.DEDICATED, 1_000_000L, 1_000_000_000L, Duration.ofMillis(50), 100.0),
					new PlacementPolicy.Rule(Tier.ENTERPRISE, 50_000_000L, null, null, 2000.0)),
			0.2, Duration.ofHours(1), false, 2, 1, null, null);

	@Test
	void aCrossedThresholdCallsForStrongerIsolation() {
		Advice advice = advise(figures(1_200_000L, null, null), Tier.SHARED, Tier.SHARED);

		assertThat(advice.target()).isEqualTo(Tier.DEDICATED);
		assertThat(advice.actionable()).isTrue();
		assertThat(advice.reasons()).containsExactly("rows 1200000 >= 1000000");
	}

	@Test
	void theStrongestTierWhoseRuleFiresWins() {
		Advice advice = advise(new Figures(60_000_000L, null, 80.0, null), Tier.SHARED, Tier.SHARED);

		assertThat(advice.target()).isEqualTo(Tier.ENTERPRISE);
		assertThat(advice.reasons()).containsExactly("rows 60000000 >= 50000000");
	}

	@Test
	void anyOneThresholdIsEnough() {
		assertThat(advise(new Figures(10L, null, 75.0, null), Tier.SHARED, Tier.SHARED).target())
			.isEqualTo(Tier.DEDICATED);
		assertThat(advise(new Figures(10L, null, null, 150.0), Tier.SHARED, Tier.SHARED).target())
			.isEqualTo(Tier.DEDICATED);
		assertThat(advise(new Figures(10L, 2_000_000_000L, null, null), Tier.SHARED, Tier.SHARED).target())
			.isEqualTo(Tier.DEDICATED);
	}

	@Test
	void neverBelowThePlan() {
		Advice small = advise(figures(10L, null, null), Tier.ENTERPRISE, Tier.ENTERPRISE);
		assertThat(small.target()).isEqualTo(Tier.ENTERPRISE);
		assertThat(small.moves()).isFalse();
		// Placed below its plan (a plan raised while it was moving): back up to the plan.
		assertThat(advise(figures(10L, null, null), Tier.DEDICATED, Tier.SHARED).target()).isEqualTo(Tier.DEDICATED);
		// A pin below the plan is raised to the plan.
		Advice pinned = PlacementAdvisor.advise(POLICY, figures(10L, null, null), Tier.DEDICATED, Tier.DEDICATED,
				new Override(Tier.SHARED, false, "cheap"), null, NOW);
		assertThat(pinned.target()).isEqualTo(Tier.DEDICATED);
	}

	@Test
	void aTierItWasMovedToIsLeftOnlyBelowTheHysteresisBand() {
		// Called DEDICATED at 1M rows; 850k is within 20 % of it: it stays.
		assertThat(advise(figures(850_000L, null, null), Tier.SHARED, Tier.DEDICATED).moves()).isFalse();
		// 700k is below 800k: back to the plan.
		Advice down = advise(figures(700_000L, null, null), Tier.SHARED, Tier.DEDICATED);
		assertThat(down.target()).isEqualTo(Tier.SHARED);
		assertThat(down.reasons()).singleElement().asString().contains("below the DEDICATED thresholds");
	}

	@Test
	void overridesPinOrFreeze() {
		Advice frozen = PlacementAdvisor.advise(POLICY, figures(90_000_000L, null, null), Tier.SHARED, Tier.SHARED,
				new Override(null, true, "customer asked"), null, NOW);
		assertThat(frozen.moves()).isFalse();
		assertThat(frozen.reasons()).singleElement().asString().contains("frozen");

		Advice pinned = PlacementAdvisor.advise(POLICY, figures(10L, null, null), Tier.SHARED, Tier.SHARED,
				new Override(Tier.ENTERPRISE, false, "big launch"), null, NOW);
		assertThat(pinned.target()).isEqualTo(Tier.ENTERPRISE);
		assertThat(pinned.actionable()).isTrue();
	}

	@Test
	void aTenantMovedLatelyWaitsOutTheCoolDown() {
		Advice cooling = PlacementAdvisor.advise(POLICY, figures(2_000_000L, null, null), Tier.SHARED, Tier.SHARED,
				null, NOW.minus(Duration.ofMinutes(10)), NOW);
		assertThat(cooling.target()).isEqualTo(Tier.DEDICATED);
		assertThat(cooling.actionable()).isFalse();
		assertThat(cooling.coolingUntil()).isEqualTo(NOW.plus(Duration.ofMinutes(50)));

		Advice after = PlacementAdvisor.advise(POLICY, figures(2_000_000L, null, null), Tier.SHARED, Tier.SHARED, null,
				NOW.minus(Duration.ofMinutes(61)), NOW);
		assertThat(after.actionable()).isTrue();
	}

	@Test
	void unmeasuredFiguresCallForNothing() {
		assertThat(advise(null, Tier.SHARED, Tier.SHARED).moves()).isFalse();
		assertThat(advise(new Figures(null, null, null, null), Tier.SHARED, Tier.SHARED).moves()).isFalse();
	}

	@Test
	void aWindowMayCrossMidnight() {
		PlacementPolicy night = new PlacementPolicy(List.of(), 0.2, Duration.ZERO, true, 1, 1, LocalTime.of(22, 0),
				LocalTime.of(6, 0));
		assertThat(night.inWindow(LocalTime.of(23, 30))).isTrue();
		assertThat(night.inWindow(LocalTime.of(5, 59))).isTrue();
		assertThat(night.inWindow(LocalTime.of(12, 0))).isFalse();
		assertThat(PlacementPolicy.NONE.inWindow(LocalTime.NOON)).isTrue();
		assertThatThrownBy(() -> new PlacementPolicy(List.of(), 0.2, Duration.ZERO, true, 1, 1, LocalTime.NOON, null))
			.isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void histogramP95IsTheUpperBoundOfItsBucket() {
		long[] latency = new long[TenantActivity.BUCKETS];
		latency[TenantActivity.bucket(1_000_000)] = 95; // 1 ms
		latency[TenantActivity.bucket(100_000_000)] = 5; // 100 ms
		Double p95 = TenantActivity.p95Millis(latency);
		assertThat(p95).isBetween(1.0, 1.42);
		latency[TenantActivity.bucket(100_000_000)] = 6;
		assertThat(TenantActivity.p95Millis(latency)).isBetween(100.0, 142.0);
		assertThat(TenantActivity.p95Millis(new long[TenantActivity.BUCKETS])).isNull();
	}

	private static Advice advise(Figures figures, Tier plan, Tier current) {
		return PlacementAdvisor.advise(POLICY, figures, plan, current, null, null, NOW);
	}

	private static Figures figures(Long rows, Double p95, Double writes) {
		return new Figures(rows, null, p95, writes);
	}

}
