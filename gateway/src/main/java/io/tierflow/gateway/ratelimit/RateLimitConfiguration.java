package io.tierflow.gateway.ratelimit;

import java.time.Duration;

import javax.sql.DataSource;

import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.tierflow.tenancy.lease.JobLease;
import io.tierflow.tenancy.lease.JobLeases;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

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
	IdleBucketSweep idleBucketSweep(PostgreSQLSelectForUpdateBasedProxyManager<String> rateLimitBuckets,
			@Value("${tierflow.gateway.rate-limits.sweep-interval:1m}") Duration every, JobLeases leases) {
		return new IdleBucketSweep(rateLimitBuckets, every, leases);
	}

	/**
	 * Removes the rows of buckets that have been full and unused for a while, on one
	 * gateway instance at a time: the holder of the sweep's {@link JobLease} in the
	 * buckets' database. Bucket4j deletes with {@code for update skip locked}, so two
	 * sweeps at once would split the rows, not fight over them.
	 */
	static class IdleBucketSweep implements SchedulingConfigurer {

		/** A sweep deletes in batches of a thousand rows: seconds at most. */
		private static final Duration LEASE_AT_MOST = Duration.ofMinutes(5);

		private final PostgreSQLSelectForUpdateBasedProxyManager<String> buckets;

		private final Duration every;

		private final JobLeases leases;

		IdleBucketSweep(PostgreSQLSelectForUpdateBasedProxyManager<String> buckets, Duration every, JobLeases leases) {
			this.buckets = buckets;
			this.every = every;
			this.leases = leases;
		}

		@Override
		public void configureTasks(ScheduledTaskRegistrar registrar) {
			JobLease lease = new JobLease("gateway.idle-bucket-sweep", this.every, LEASE_AT_MOST);
			registrar.addFixedDelayTask(
					new FixedDelayTask(() -> this.leases.run(lease, this::sweep), this.every, Duration.ZERO));
		}

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
