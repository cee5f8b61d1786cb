package io.tierflow.tenancy.routing;

import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tierflow.tenancy.autopilot.TenantActivity;
import org.jspecify.annotations.Nullable;

/**
 * Times the statements that tenant transactions run on the tenant stores, as the timer
 * {@value #METER} ({@code tierflow_db_query_seconds} with a percentile histogram in
 * Prometheus), tagged by service, cluster and tier — never by tenant, database or schema.
 * There is one timer per cluster, made on its first statement.
 *
 * <p>
 * The hook is the connection {@link TenantDataSource} lends, wrapped in a small proxy
 * that times {@code execute*} of the statements made on it. Rejected: HikariCP's metrics
 * tracker sees how long a connection is borrowed (a whole transaction, request code
 * included), never a statement; an observation around the tenant transaction measures
 * transactions too; datasource-proxy and p6spy record every bound parameter of every
 * statement for their listeners, an allocation per parameter that nothing here reads. The
 * proxy costs two reflective calls and two clock reads per statement, and a reflective
 * call per parameter set (well under a microsecond in all), next to a round trip to
 * PostgreSQL of 100 µs or more. The routing's own statements (tenant settings, the
 * tier-move fence) are not timed: they are not the service's queries.
 */
public class StatementTimers {

	/** Statements run on tenant stores. */
	public static final String METER = "tierflow.db.query";

	private final PlacementPools pools;

	private final String service;

	private final Supplier<@Nullable MeterRegistry> registry;

	private final Map<String, Timer> timers = new ConcurrentHashMap<>();

	private final @Nullable TenantActivity activity;

	/**
	 * @param service the service's name ({@code tierflow.tenancy.service}), a tag
	 * @param registry the registry, looked up on each cluster's first statement; null
	 * there means nothing is timed
	 */
	public StatementTimers(PlacementPools pools, String service, Supplier<@Nullable MeterRegistry> registry) {
		this(pools, service, registry, null);
	}

	/**
	 * @param activity receives each statement of a tenant as its activity
	 * ({@link TenantActivity}), or null
	 */
	public StatementTimers(PlacementPools pools, String service, Supplier<@Nullable MeterRegistry> registry,
			@Nullable TenantActivity activity) {
		this.pools = pools;
		this.service = service;
		this.registry = registry;
		this.activity = activity;
	}

	/**
	 * {@code con}, its statements timed as the cluster's and counted as its tenant's;
	 * itself with neither a registry nor the activity.
	 */
	Connection time(Connection con, String cluster) {
		Timer timer = this.timers.get(cluster);
		if (timer == null) {
			MeterRegistry meters = this.registry.get();
			if (meters == null) {
				return (this.activity != null) ? TimedConnection.wrap(con, null, this.activity) : con;
			}
			timer = this.timers.computeIfAbsent(cluster,
					(name) -> Timer.builder(METER)
						.description("Statements run by tenant transactions on the tenant stores")
						.tag("service", this.service)
						.tag("cluster", name)
						.tag("tier", PlacementPools.tierOf(this.pools.cluster(name)))
						.publishPercentileHistogram()
						.minimumExpectedValue(Duration.ofNanos(250_000))
						.maximumExpectedValue(Duration.ofSeconds(30))
						.register(meters));
		}
		return TimedConnection.wrap(con, timer, this.activity);
	}

}
