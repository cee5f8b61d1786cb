package io.tierflow.gateway.ratelimit;

import javax.sql.DataSource;

import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.Scheduled;

/** The shared buckets, the limiter and its filter, and the sweep of idle buckets. */
@Configuration(proxyBeanMethods = false)
class RateLimitConfiguration {

	private static final Logger log = LoggerFactory.getLogger(RateLimitConfiguration.class);

	@Bean
	PostgreSQLSelectForUpdateBasedProxyManager<String> rateLimitBuckets(DataSource dataSource,
			RateLimitProperties properties) {
		return Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
			.primaryKeyMapper(PrimaryKeyMapper.STRING)
			.table("rate_limit_bucket")
			.idColumn("id")
			.stateColumn("state")
			.expiresAtColumn("expires_at")
			.expirationAfterWrite(
					ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(properties.idleExpiry()))
			.build();
	}

	@Bean
	TenantRateLimiter tenantRateLimiter(PostgreSQLSelectForUpdateBasedProxyManager<String> rateLimitBuckets,
			RateLimitProperties properties) {
		return new TenantRateLimiter(rateLimitBuckets, properties);
	}

	/** After Spring Security's filter: the token is verified and the tenant bound. */
	@Bean
	FilterRegistrationBean<RateLimitFilter> rateLimitFilter(TenantRateLimiter limiter, RateLimitProperties properties,
			MeterRegistry meters) {
		FilterRegistrationBean<RateLimitFilter> registration = new FilterRegistrationBean<>(
				new RateLimitFilter(limiter, properties, meters));
		registration.setOrder(SecurityFilterProperties.DEFAULT_FILTER_ORDER + 1);
		return registration;
	}

	@Bean
	IdleBucketSweep idleBucketSweep(PostgreSQLSelectForUpdateBasedProxyManager<String> rateLimitBuckets) {
		return new IdleBucketSweep(rateLimitBuckets);
	}

	/** Removes the rows of buckets that have been full and unused for a while. */
	static class IdleBucketSweep {

		private final PostgreSQLSelectForUpdateBasedProxyManager<String> buckets;

		IdleBucketSweep(PostgreSQLSelectForUpdateBasedProxyManager<String> buckets) {
			this.buckets = buckets;
		}

		@Scheduled(fixedDelayString = "${tierflow.gateway.rate-limits.sweep-interval:1m}")
		void sweep() {
			int removed;
			int total = 0;
			do {
				removed = this.buckets.removeExpired(1000);
				total += removed;
			}
			while (removed == 1000);
			if (total > 0) {
				log.info("Removed {} idle rate-limit buckets", total);
			}
		}

	}

}
