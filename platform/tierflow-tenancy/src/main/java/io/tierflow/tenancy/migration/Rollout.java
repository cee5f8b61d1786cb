package io.tierflow.tenancy.migration;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A rollout of a new tenant migration over a service's stores, with its stores counted by
 * state.
 *
 * @param id the rollout
 * @param targetVersion the version its stores are brought to
 * @param state where it is
 * @param canary stores of its first wave
 * @param batchSize stores of each later wave
 * @param maxFailureRate share of failed stores above which it halts
 * @param reason why it halted, or how it ended
 * @param waves how many waves it has, the canary included
 * @param wave the first wave with a store not yet tried, or null when every one was
 * @param stores its stores by state
 * @param migrationP99Ms the p99 of a migrated store's migration, in ms: the time it held
 * its locks, which are taken inside that one transaction and released at its end
 * @param migrationMaxMs the longest migration of a store, in ms
 */
public record Rollout(UUID id, String targetVersion, RolloutState state, int canary, int batchSize,
		double maxFailureRate, String reason, int waves, Integer wave, Stores stores, Long migrationP99Ms,
		Long migrationMaxMs, OffsetDateTime createdAt, OffsetDateTime updatedAt, OffsetDateTime endedAt) {

	/** Stores of a rollout by state. */
	public record Stores(int total, int pending, int migrated, int failed, int busy, int gone) {

		/** Stores tried to an end (migrated, failed or gone), as a percentage. */
		public double percentDone() {
			return (this.total == 0) ? 100.0 : 100.0 * (this.migrated + this.failed + this.gone) / this.total;
		}

	}

	/**
	 * One store of a rollout.
	 *
	 * @param store the store ({@code cluster/database/schema})
	 * @param wave its wave, 0 being the canary
	 * @param state where it is
	 * @param tries how many times it was tried
	 * @param tookMs its last try's time, in ms
	 * @param error why its last try failed
	 */
	public record Store(String store, int wave, RolloutStoreState state, int tries, Long tookMs, String error,
			OffsetDateTime endedAt) {
	}

	/**
	 * What a new rollout should do; each value left out takes the service's default
	 * ({@code tierflow.tenancy.migration.rollout}).
	 */
	public record Plan(Integer canary, Integer batchSize, Double maxFailureRate) {

		public static final Plan DEFAULTS = new Plan(null, null, null);

	}

}
