package io.tierflow.deploy;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The metrics the dashboard and the alert rules may read, in their Prometheus names.
 * Tierflow's own carry the Micrometer name the code registers them under, which the test
 * looks for in the main sources, so that a renamed meter fails here rather than leaving a
 * panel empty.
 */
final class KnownMetrics {

	/**
	 * @param micrometerName the name in the code; null for a library's metric
	 */
	record Metric(String micrometerName, List<String> prometheusNames) {
	}

	static final List<Metric> ALL = List.of(
			// platform/tierflow-tenancy TenancyMetrics
			tierflow("tenant.db.connections.active", "tenant_db_connections_active"),
			tierflow("tenant.placements", "tenant_placements"), tierflow("cluster.capacity", "cluster_capacity"),
			tierflow("tierflow.clusters.with.room", "tierflow_clusters_with_room"),
			// platform/tierflow-events OutboxRelay, ParkedUsage, ForeignTenantEvents,
			// ErasedTenantEvents
			tierflow("tierflow.outbox.backlog", "tierflow_outbox_backlog"),
			tierflow("tierflow.outbox.lag", "tierflow_outbox_lag_seconds"),
			tierflow("tierflow.outbox.relayed", "tierflow_outbox_relayed_total"),
			tierflow("tierflow.events.parked", "tierflow_events_parked"),
			tierflow("tierflow.events.refused", "tierflow_events_refused_total"),
			tierflow("tierflow.events.dropped", "tierflow_events_dropped_total"),
			// platform/tierflow-mover MovePhaseTimers (a timer)
			tierflow("tierflow.move.phase.duration", "tierflow_move_phase_duration_seconds_count",
					"tierflow_move_phase_duration_seconds_sum", "tierflow_move_phase_duration_seconds_max",
					"tierflow_move_phase_duration_seconds_bucket"),
			tierflow("tierflow.move.phase.age", "tierflow_move_phase_age_seconds"),
			// gateway RateLimitFilter
			tierflow("tierflow.gateway.rate_limit.failures", "tierflow_gateway_rate_limit_failures_total"),
			// tierflow-tenancy StatementTimers (a timer with histogram buckets) and
			// StorageMetrics; tierflow-events DeadLetters.
			tierflow("tierflow.db.query", "tierflow_db_query_seconds_bucket", "tierflow_db_query_seconds_count",
					"tierflow_db_query_seconds_sum"),
			tierflow("tierflow.storage.bytes", "tierflow_storage_bytes"),
			tierflow("tierflow.events.dead_lettered", "tierflow_events_dead_lettered_total"),
			// HikariCP (every pool), Spring MVC, the JVM, the Kafka binder and clients,
			// Prometheus' own.
			library("hikaricp_connections_active", "hikaricp_connections_max", "hikaricp_connections_pending",
					"hikaricp_connections_idle", "hikaricp_connections_min", "hikaricp_connections_timeout_total"),
			library("http_server_requests_seconds_count", "http_server_requests_seconds_sum",
					"http_server_requests_seconds_max", "http_server_requests_seconds_bucket"),
			library("jvm_memory_used_bytes", "process_cpu_usage"),
			library("spring_cloud_stream_binder_kafka_offset", "kafka_consumer_fetch_manager_records_lag_max"),
			library("up"));

	static final Set<String> NAMES = ALL.stream()
		.flatMap((m) -> m.prometheusNames().stream())
		.collect(Collectors.toUnmodifiableSet());

	private KnownMetrics() {
	}

	private static Metric tierflow(String micrometerName, String... prometheusNames) {
		return new Metric(micrometerName, List.of(prometheusNames));
	}

	private static Metric library(String... prometheusNames) {
		return new Metric(null, List.of(prometheusNames));
	}

}
