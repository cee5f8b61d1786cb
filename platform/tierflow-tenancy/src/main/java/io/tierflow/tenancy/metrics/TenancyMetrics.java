package io.tierflow.tenancy.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tierflow.tenancy.TenancyProperties.Cluster;
import io.tierflow.tenancy.placement.ClusterRegistry;
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

	/**
	 * Clusters of a role and region that take tenants and are below their high-water
	 * mark: 0 means a cluster must be added there.
	 */
	public static final String WITH_ROOM = "tierflow.clusters.with.room";

	private static final Logger log = LoggerFactory.getLogger(TenancyMetrics.class);

	private final PlacementPools pools;

	private final Supplier<Map<String, Integer>> tenantsPerCluster;

	private final long countsTtl;

	private Map<String, Integer> counts;

	private long countedAt;

	private boolean counted;

	private final ClusterRegistry clusters;

	private final java.util.Set<String> bound = java.util.concurrent.ConcurrentHashMap.newKeySet();

	private volatile MeterRegistry registry;

	/**
	 * @param tenantsPerCluster counts the placements per cluster name
	 * @param countsTtl how long one count serves
	 */
	public TenancyMetrics(PlacementPools pools, Supplier<Map<String, Integer>> tenantsPerCluster, Duration countsTtl) {
		this(pools, tenantsPerCluster, countsTtl, null);
	}

	/**
	 * @param clusters the clusters' states and high-water marks, and the clusters added
	 * at run time, whose gauges are added as they come
	 */
	public TenancyMetrics(PlacementPools pools, Supplier<Map<String, Integer>> tenantsPerCluster, Duration countsTtl,
			ClusterRegistry clusters) {
		this.pools = pools;
		this.tenantsPerCluster = tenantsPerCluster;
		this.countsTtl = countsTtl.toNanos();
		this.clusters = clusters;
		if (clusters != null) {
			clusters.onChange(this::bindNew);
		}
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.registry = registry;
		bindNew();
	}

	/** Gauges of the clusters (and roles and regions) not bound yet. */
	private synchronized void bindNew() {
		MeterRegistry registry = this.registry;
		if (registry == null) {
			return;
		}
		for (Cluster cluster : this.pools.clusters()) {
			String area = cluster.role() + "/" + cluster.region();
			if (this.clusters != null && this.bound.add(area)) {
				Gauge.builder(WITH_ROOM, this, (m) -> m.withRoom(cluster.role(), cluster.region()))
					.description(
							"Clusters of the role and region that take tenants and are below their high-water mark")
					.tags("role", cluster.role().name().toLowerCase(java.util.Locale.ROOT), "region", cluster.region())
					.strongReference(true)
					.register(registry);
			}
			if (!this.bound.add(cluster.name())) {
				continue;
			}
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
			Gauge.builder(CAPACITY, this, (m) -> m.capacity(cluster.name()))
				.description("The most tenants the cluster may hold")
				.tags(tags)
				.strongReference(true)
				.register(registry);
		}
	}

	private double capacity(String cluster) {
		if (this.clusters != null) {
			return this.clusters.find(cluster).map((c) -> (double) c.capacity()).orElse(Double.NaN);
		}
		return this.pools.cluster(cluster).capacity();
	}

	private double withRoom(io.tierflow.tenancy.placement.ClusterRole role, String region) {
		Map<String, Integer> placed = counts();
		if (placed == null) {
			return Double.NaN;
		}
		int room = 0;
		for (Cluster c : this.pools.clusters()) {
			if (c.role() == role && c.region().equals(region)
					&& this.clusters.hasRoom(c.name(), placed.getOrDefault(c.name(), 0), 1)) {
				room++;
			}
		}
		return room;
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
