package io.tierflow.events;

import java.time.Duration;

import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The event backbone of a service.
 *
 * @param bootstrapServers Kafka the relay publishes to; defaults to
 * {@code spring.kafka.bootstrap-servers}
 * @param relay outbox relay tuning
 */
@Validated
@ConfigurationProperties("tierflow.events")
public record EventsProperties(String bootstrapServers, @DefaultValue Relay relay) {

	/**
	 * @param sweepInterval how often every outbox is checked for rows no wake-up
	 * announced
	 * @param batchSize rows published per transaction
	 * @param workers relay threads
	 * @param outboxesPerSweep outboxes in pooled databases (the control database, the
	 * shared and tenant schemas, tenant databases with an open pool) a sweep probes at
	 * most, in turn: with 11,000 tenant stores and the defaults each is probed every 30 s
	 * @param coldPerSweep outboxes in tenant databases with no pool open that a sweep
	 * probes at most, in turn (each over a plain connection, whose sign-in costs more
	 * than the probe): with 1,000 such databases and the defaults, each is probed every
	 * 1,000 s. Only rows an instance left when it died wait for it: an outbox written to
	 * is woken at once, and a tenant being served has its pool open
	 */
	public record Relay(@DefaultValue("5s") Duration sweepInterval, @Min(1) @DefaultValue("500") int batchSize,
			@Min(1) @DefaultValue("2") int workers, @Min(1) @DefaultValue("2000") int outboxesPerSweep,
			@Min(1) @DefaultValue("5") int coldPerSweep) {
	}

}
