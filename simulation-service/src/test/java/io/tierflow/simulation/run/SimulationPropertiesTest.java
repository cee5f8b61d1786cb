package io.tierflow.simulation.run;

import java.time.Duration;

import io.tierflow.simulation.run.SimulationProperties.Quotas;
import io.tierflow.simulation.run.SimulationProperties.TierQuota;
import io.tierflow.tenancy.placement.Tier;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SimulationPropertiesTest {

	private static final SimulationProperties.ProgressStreams STREAMS = new SimulationProperties.ProgressStreams(10,
			200);

	@Test
	void unsetLimitsKeepTheirTiersDefaults() {
		Quotas quotas = new Quotas(new TierQuota(null, 5L, null, null), null, null);
		assertThat(quotas.of(Tier.SHARED)).isEqualTo(new TierQuota(1_000_000L, 5L, 10L, 1));
		assertThat(quotas.of(Tier.DEDICATED)).isEqualTo(new TierQuota(10_000_000L, 1_000L, 50L, 4));
		assertThat(quotas.of(Tier.ENTERPRISE)).isEqualTo(new TierQuota(100_000_000L, TierQuota.UNLIMITED, 0L, 16));
		assertThat(quotas.of(Tier.ENTERPRISE).monthlyLimited()).isFalse();
		assertThat(quotas.of(Tier.SHARED).runsPerMonth(3)).isEqualTo(35);
		assertThat(quotas.of(Tier.ENTERPRISE).runsPerMonth(3)).isEqualTo(TierQuota.UNLIMITED);
	}

	@Test
	void refusesSettingsThatCannotWork() {
		assertThatIllegalArgumentException().isThrownBy(() -> new TierQuota(0L, null, null, null));
		assertThatIllegalArgumentException().isThrownBy(() -> new TierQuota(null, -2L, null, null));
		assertThatIllegalArgumentException().isThrownBy(() -> new TierQuota(null, null, null, 0));
		assertThatIllegalArgumentException().isThrownBy(() -> new TierQuota(null, null, -1L, null));
		assertThatIllegalArgumentException().isThrownBy(() -> new SimulationProperties.ProgressStreams(20, 10));
		Quotas quotas = new Quotas(null, null, null);
		assertThatIllegalArgumentException().isThrownBy(() -> new SimulationProperties(quotas, Duration.ofSeconds(1),
				Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofMinutes(1), Duration.ofSeconds(30), STREAMS));
		assertThatIllegalArgumentException().isThrownBy(() -> new SimulationProperties(quotas, Duration.ofMillis(200),
				Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), STREAMS));
	}

}
