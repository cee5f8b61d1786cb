package io.tierflow.tenancy.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tierflow.tenancy.TenancyProperties.Cluster;
import io.tierflow.tenancy.routing.PlacementPools;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tenancy KPIs of a tenant-data service, per configured cluster and its tier, never
 * per tenant: connections borrowed from the cluster's pools
 * ({@value #CONNECTIONS_ACTIVE}), tenants placed on it ({@value #PLACEMENTS}) and how
 * many it may take ({@value #CAPACITY}). Placements are counted in the control database
 * at most once per {@code countsTtl}, however often and by however many gauges they are
 * read; while that database does not answer they read NaN.
 */
public class TenancyMetrics implements MeterBinder {

	/** Connections borrowed right now from the pools to a cluster. */
	public static final String CONNECTIONS_ACTIVE = "tenant.db.connections.active";

	/** Tenants placed on a cluster, in any state. */
	public static final String PLACEMENTS = "tenant.placements";

	/**
	 * The most tenants a cluster may hold ({@code tierflow.tenancy.clusters[].capacity}).
	 */
	public static final String CAPACITY = "cluster.capacity";

	private static final Logger log = LoggerFactory.getLogger(TenancyMetrics.class);

	private final PlacementPools pools;

	private final Supplier<Map<String, Integer>> tenantsPerCluster;

	private final long countsTtl;

	private Map<String, Integer> counts;

	private long countedAt;

	private boolean counted;

	/**
	 * @param tenantsPerCluster counts the placements per cluster name
	 * @param countsTtl how long one count serves
	 */
	public TenancyMetrics(PlacementPools pools, Supplier<Map<String, Integer>> tenantsPerCluster, Duration countsTtl) {
		this.pools = pools;
		this.tenantsPerCluster = tenantsPerCluster;
		this.countsTtl = countsTtl.toNanos();
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		for (Cluster cluster : this.pools.clusters()) {
			Tags tags = Tags.of("cluster", cluster.name(), "tier", PlacementPools.tierOf(cluster));
			Gauge.builder(CONNECTIONS_ACTIVE, this.pools, (p) -> p.activeConnections(cluster.name()))
				.description("Connections borrowed from the pools to the cluster's databases (application and owner)")
				.tags(tags)
				.strongReference(true)
				.register(registry);
			Gauge.builder(PLACEMENTS, this, (m) -> m.placed(cluster.name()))
				.description("Tenants placed on the cluster, in any state")
				.tags(tags)
				.strongReference(true)
				.register(registry);
			Gauge.builder(CAPACITY, cluster, Cluster::capacity)
				.description("The most tenants the cluster may hold")
				.tags(tags)
				.strongReference(true)
				.register(registry);
		}
	}

	private double placed(String cluster) {
		Map<String, Integer> placed = counts();
		return (placed != null) ? placed.getOrDefault(cluster, 0) : Double.NaN;
	}

	private synchronized Map<String, Integer> counts() {
		long now = System.nanoTime();
		if (!this.counted || now - this.countedAt >= this.countsTtl) {
			try {
				this.counts = Map.copyOf(this.tenantsPerCluster.get());
			}
			catch (RuntimeException ex) {
				// Not asked again before the next count is due: a scrape must not hammer
				// a control database that is down.
				log.debug("Placements not counted: {}", ex.toString());
				this.counts = null;
			}
			this.countedAt = now;
			this.counted = true;
		}
		return this.counts;
	}

}
