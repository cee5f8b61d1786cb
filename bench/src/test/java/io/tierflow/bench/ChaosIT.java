package io.tierflow.bench;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chaos run, shortened for the suite: the cluster topology (three PostgreSQL servers,
 * three Kafka nodes, two instances of every service behind the gateway) under load, with
 * every fault of {@code bench/run chaos} but briefer outages, a lighter load, the killed
 * service instances left dead (the others must relay their outboxes and take their
 * partitions), and one instance only of simulation- and analytics-service (each JVM's
 * start costs ~15 s of the two cores; tenant-, file- and billing-service keep two: the
 * saga's outbox, the shared blob store and the usage consumer). Nothing acknowledged may
 * be lost or duplicated, the tier move must end completed or rolled back with its reason,
 * and nothing may be left behind (slots, outboxes, consumer lag).
 */
class ChaosIT {

	@Test
	void nothingAcknowledgedIsLostOrDuplicatedUnderFaults() throws Exception {
		ChaosBenchmark.Outcome outcome = new ChaosBenchmark(Map.of("pause-seconds", "8", "down-seconds", "4",
				"settle-seconds", "6", "usage-rate", "50", "write-interval-ms", "250", "move-rows", "50",
				"services-dir", "../devstack/target/services", "work-dir", "target/chaos-it",
				// The killed instances stay dead: the others relay their outboxes and
				// take
				// their partitions (restarting five JVMs on 2 cores would take minutes).
				"restart-instances", "false", "single-instance", "simulation,analytics"))
			.measure();
		assertThat(outcome.faults()).isEqualTo(4);
		assertThat(outcome.acknowledged()).isPositive();
		assertThat(outcome.lost()).as(outcome.resultLine()).isZero();
		assertThat(outcome.duplicated()).as(outcome.resultLine()).isZero();
		assertThat(outcome.problems()).isEmpty();
		assertThat(outcome.movesOk()).isTrue();
	}

}
