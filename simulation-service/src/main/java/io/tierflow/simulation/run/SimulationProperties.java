package io.tierflow.simulation.run;

import java.time.Duration;

import io.tierflow.tenancy.placement.Tier;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How much a tenant may simulate, and how runs are watched.
 *
 * @param quota limits per tier
 * @param progressInterval how often a progress stream ({@code /runs/{id}/progress}) gets
 * a {@code progress} event while its run computes
 * @param progressTimeout how long a progress stream may stay open
 * @param heartbeatInterval how often the instance computing a run records that it still
 * does and how far it got ({@code iterations_done}, what a progress stream on another
 * instance shows), and picks up cancellations asked for on another instance (default 1s:
 * live progress from any instance)
 * @param staleAfter how long a RUNNING run may go without a heartbeat before the sweep
 * fails it as lost (its instance died); at least three heartbeat intervals (default 1m:
 * sixty)
 * @param sweepInterval how often the stale-run sweep looks
 * @param progressStreams how many progress streams may be open at once
 */
@Validated
@ConfigurationProperties("tierflow.simulation")
public record SimulationProperties(@Valid @NotNull @DefaultValue Quotas quota,
		@NotNull @DefaultValue("200ms") Duration progressInterval,
		@NotNull @DefaultValue("1h") Duration progressTimeout, @NotNull @DefaultValue("1s") Duration heartbeatInterval,
		@NotNull @DefaultValue("1m") Duration staleAfter, @NotNull @DefaultValue("30s") Duration sweepInterval,
		@Valid @NotNull @DefaultValue ProgressStreams progressStreams) {

	public SimulationProperties {
		if (progressInterval != null
				&& (progressInterval.compareTo(Duration.ofMillis(10)) < 0 || progressInterval.toMillis() > 250)) {
			throw new IllegalArgumentException(
					"tierflow.simulation.progress-interval must be between 10ms and 250ms (at least 4 events a second)");
		}
		if (heartbeatInterval != null && heartbeatInterval.compareTo(Duration.ofMillis(100)) < 0) {
			throw new IllegalArgumentException("tierflow.simulation.heartbeat-interval must be at least 100ms");
		}
		if (staleAfter != null && heartbeatInterval != null
				&& staleAfter.compareTo(heartbeatInterval.multipliedBy(3)) < 0) {
			throw new IllegalArgumentException(
					"tierflow.simulation.stale-after must be at least three heartbeat intervals");
		}
		if (sweepInterval != null && sweepInterval.compareTo(Duration.ofSeconds(1)) < 0) {
			throw new IllegalArgumentException("tierflow.simulation.sweep-interval must be at least a second");
		}
	}

	/**
	 * Open progress streams ({@code /runs/{id}/progress}) allowed on one instance; one
	 * more is a 429. Streams of runs that have ended (one event, then closed) do not
	 * count.
	 *
	 * @param perTenant streams of one tenant (default 10)
	 * @param perInstance streams of all tenants (default 200: each stream of a run
	 * computed elsewhere reads the store once a second)
	 */
	public record ProgressStreams(@Min(1) @DefaultValue("10") int perTenant,
			@Min(1) @DefaultValue("200") int perInstance) {

		public ProgressStreams {
			if (perTenant > perInstance) {
				throw new IllegalArgumentException(
						"tierflow.simulation.progress-streams.per-tenant must not exceed per-instance");
			}
		}

	}

	/**
	 * Limits per tier; each limit left unset keeps its default.
	 *
	 * @param shared SHARED tier; defaults: 1,000,000 iterations a run, 100 runs a month
	 * plus 10 per user, 1 at a time
	 * @param dedicated DEDICATED tier; defaults: 10,000,000, 1,000 plus 50 per user, 4
	 * @param enterprise ENTERPRISE tier; defaults: 100,000,000, unlimited, 16
	 */
	public record Quotas(@Valid TierQuota shared, @Valid TierQuota dedicated, @Valid TierQuota enterprise) {

		static final TierQuota SHARED = new TierQuota(1_000_000L, 100L, 10L, 1);

		static final TierQuota DEDICATED = new TierQuota(10_000_000L, 1_000L, 50L, 4);

		static final TierQuota ENTERPRISE = new TierQuota(100_000_000L, TierQuota.UNLIMITED, 0L, 16);

		public Quotas {
			shared = TierQuota.orDefaults(shared, SHARED);
			dedicated = TierQuota.orDefaults(dedicated, DEDICATED);
			enterprise = TierQuota.orDefaults(enterprise, ENTERPRISE);
		}

		public TierQuota of(Tier tier) {
			return switch (tier) {
				case SHARED -> this.shared;
				case DEDICATED -> this.dedicated;
				case ENTERPRISE -> this.enterprise;
			};
		}

	}

	/**
	 * What one tenant of a tier may run.
	 *
	 * @param iterationsPerRun most iterations one run may ask for (at least 1)
	 * @param runsPerMonth most runs started in a calendar month (UTC) by a tenant without
	 * users; {@code -1}: unlimited
	 * @param runsPerMonthPerUser runs a month each user of the tenant adds (a seat, from
	 * {@code user.created})
	 * @param concurrentRuns most runs computing at once (at least 1)
	 */
	public record TierQuota(Long iterationsPerRun, Long runsPerMonth, Long runsPerMonthPerUser,
			Integer concurrentRuns) {

		public static final long UNLIMITED = -1;

		public TierQuota {
			if (iterationsPerRun != null && iterationsPerRun < 1) {
				throw new IllegalArgumentException("iterations-per-run must be at least 1");
			}
			if (runsPerMonth != null && runsPerMonth < UNLIMITED) {
				throw new IllegalArgumentException("runs-per-month must be -1 (unlimited) or more");
			}
			if (runsPerMonthPerUser != null && runsPerMonthPerUser < 0) {
				throw new IllegalArgumentException("runs-per-month-per-user must not be negative");
			}
			if (concurrentRuns != null && concurrentRuns < 1) {
				throw new IllegalArgumentException("concurrent-runs must be at least 1");
			}
		}

		static TierQuota orDefaults(TierQuota configured, TierQuota defaults) {
			if (configured == null) {
				return defaults;
			}
			return new TierQuota(
					(configured.iterationsPerRun != null) ? configured.iterationsPerRun : defaults.iterationsPerRun,
					(configured.runsPerMonth != null) ? configured.runsPerMonth : defaults.runsPerMonth,
					(configured.runsPerMonthPerUser != null) ? configured.runsPerMonthPerUser
							: defaults.runsPerMonthPerUser,
					(configured.concurrentRuns != null) ? configured.concurrentRuns : defaults.concurrentRuns);
		}

		boolean monthlyLimited() {
			return this.runsPerMonth != UNLIMITED;
		}

		/** Runs a month of a tenant with {@code seats} users; {@code -1}: unlimited. */
		long runsPerMonth(int seats) {
			return monthlyLimited()
					? Math.addExact(this.runsPerMonth, Math.multiplyExact(this.runsPerMonthPerUser, seats)) : UNLIMITED;
		}

	}

}
