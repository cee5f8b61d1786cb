package io.tierflow.gateway.ratelimit;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import io.tierflow.tenancy.placement.Tier;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Each tenant's request rate at the gateway.
 *
 * @param enabled whether requests are limited at all
 * @param tierClaim the token claim naming the tenant's tier; a token without it is
 * limited as {@code defaultTier}
 * @param limitClaim the token claim holding the tenant's own limit
 * ({@code requests_per_second}, {@code burst}), which tenant-service stamps when a system
 * admin set one; it comes before the tier's and the configured overrides
 * @param defaultTier the tier of tokens that name none
 * @param tiers the limit of each tier
 * @param tenants per-tenant overrides, by tenant id
 * @param maxUnsynced how many requests an instance may admit for a tenant before it
 * settles with the shared bucket: the limit holds across instances within this many
 * requests per instance, and most requests cost no database round trip
 * @param maxUnsyncedTime how long an instance may go without settling a busy tenant's
 * bucket
 * @param cachedBuckets the most tenants whose buckets an instance keeps in memory
 * @param idleExpiry how long a tenant's bucket row is kept after it was last used and
 * full again
 */
@ConfigurationProperties("tierflow.gateway.rate-limits")
public record RateLimitProperties(@DefaultValue("true") boolean enabled, @DefaultValue("tier") String tierClaim,
		@DefaultValue("rate_limit") String limitClaim, @DefaultValue("SHARED") Tier defaultTier, Map<Tier, Limit> tiers,
		Map<UUID, Limit> tenants, @DefaultValue("10") long maxUnsynced, @DefaultValue("100ms") Duration maxUnsyncedTime,
		@DefaultValue("100000") int cachedBuckets, @DefaultValue("10m") Duration idleExpiry) {

	public RateLimitProperties {
		tiers = (tiers != null) ? Map.copyOf(tiers) : Map.of();
		tenants = (tenants != null) ? Map.copyOf(tenants) : Map.of();
		for (Tier tier : Tier.values()) {
			if (!tiers.containsKey(tier)) {
				throw new IllegalArgumentException("tierflow.gateway.rate-limits.tiers." + tier + " is not set");
			}
		}
		if (maxUnsynced < 1 || cachedBuckets < 1) {
			throw new IllegalArgumentException(
					"tierflow.gateway.rate-limits.max-unsynced and cached-buckets must be positive");
		}
	}

	/**
	 * The limit of a tenant: its own from its token, else its configured override, else
	 * its tier's.
	 * @param own the token's limit claim, or null
	 */
	public Limit limitOf(UUID tenant, Tier tier, Limit own) {
		if (own != null) {
			return own;
		}
		Limit override = this.tenants.get(tenant);
		return (override != null) ? override : this.tiers.get(tier);
	}

	/**
	 * A sustained rate and a burst: a token bucket of {@code burst} tokens refilled at
	 * {@code requestsPerSecond}.
	 *
	 * @param requestsPerSecond the sustained rate
	 * @param burst how many requests may come at once
	 */
	public record Limit(long requestsPerSecond, long burst) {

		public Limit {
			if (requestsPerSecond < 1 || burst < 1) {
				throw new IllegalArgumentException("A rate limit needs requests-per-second and burst of at least 1");
			}
		}

	}

}
