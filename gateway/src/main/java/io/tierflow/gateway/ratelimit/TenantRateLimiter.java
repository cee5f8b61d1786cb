package io.tierflow.gateway.ratelimit;

import java.time.Duration;
import java.util.UUID;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.DelayParameters;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;

/**
 * A token bucket per tenant, kept in PostgreSQL so that every gateway instance draws from
 * the same one (Bucket4j). Each instance keeps the tenants' bucket proxies it has used,
 * and settles with the shared row at most every {@link RateLimitProperties#maxUnsynced()}
 * requests or {@link RateLimitProperties#maxUnsyncedTime()}: a request costs no database
 * round trip most of the time, and a tenant over its limit is refused from memory, so a
 * noisy tenant does not queue on the database in front of quiet ones.
 */
public class TenantRateLimiter {

	private final ProxyManager<String> buckets;

	private final RateLimitProperties properties;

	private final Cache<String, BucketProxy> proxies;

	public TenantRateLimiter(ProxyManager<String> buckets, RateLimitProperties properties) {
		this.buckets = buckets;
		this.properties = properties;
		this.proxies = Caffeine.newBuilder()
			.maximumSize(properties.cachedBuckets())
			.expireAfterAccess(properties.idleExpiry())
			.build();
	}

	/** Takes one request from the tenant's bucket of this limit. */
	public Decision tryAcquire(UUID tenant, RateLimitProperties.Limit limit) {
		// The limit is part of the key: a tier change (or a changed override) gives the
		// tenant a fresh bucket of the new shape on every instance at once, and the old
		// row expires.
		String key = "tenant:" + tenant + ":" + limit.requestsPerSecond() + "/" + limit.burst();
		BucketProxy bucket = this.proxies.get(key, (k) -> proxy(k, limit));
		ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
		return new Decision(probe.isConsumed(), limit, probe.getRemainingTokens(),
				Duration.ofNanos(probe.getNanosToWaitForRefill()), Duration.ofNanos(probe.getNanosToWaitForReset()));
	}

	private BucketProxy proxy(String key, RateLimitProperties.Limit limit) {
		BucketConfiguration configuration = BucketConfiguration.builder()
			.addLimit((l) -> l.capacity(limit.burst()).refillGreedy(limit.requestsPerSecond(), Duration.ofSeconds(1)))
			.build();
		long unsynced = Math.max(1, Math.min(this.properties.maxUnsynced(), limit.burst() / 4));
		return this.buckets.builder()
			.withOptimization(Optimizations.delaying(new DelayParameters(unsynced, this.properties.maxUnsyncedTime())))
			.build(key, () -> configuration);
	}

	/**
	 * The answer for one request.
	 *
	 * @param allowed whether it may pass
	 * @param limit the tenant's limit
	 * @param remaining requests left in the bucket now
	 * @param retryAfter when the next request would pass, if this one may not
	 * @param reset when the bucket is full again
	 */
	public record Decision(boolean allowed, RateLimitProperties.Limit limit, long remaining, Duration retryAfter,
			Duration reset) {
	}

}
