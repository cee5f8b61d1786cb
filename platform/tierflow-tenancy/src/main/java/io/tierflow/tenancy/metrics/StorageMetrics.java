package io.tierflow.tenancy.metrics;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tierflow.tenancy.TenancyProperties.Cluster;
import io.tierflow.tenancy.placement.JdbcUrls;
import io.tierflow.tenancy.placement.PlacementStore;
import io.tierflow.tenancy.routing.PlacementPools;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The size of the service's tenant stores per cluster and tier ({@value #METER}): each
 * cluster's base database (shared tables and tenant schemas) and the tenant databases on
 * it, as {@code pg_database_size} gives them. Sizes are measured by a job every
 * {@code interval} (one query per cluster, on its owner pool), and the gauges read the
 * last measure: a scrape never reaches PostgreSQL. A cluster not measured yet, or whose
 * last measure failed, reads NaN.
 */
public class StorageMetrics implements MeterBinder, AutoCloseable {

	/** Bytes of the service's stores on a cluster. */
	public static final String METER = "tierflow.storage.bytes";

	private static final Logger log = LoggerFactory.getLogger(StorageMetrics.class);

	private final PlacementPools pools;

	private final Supplier<List<PlacementStore>> stores;

	private final Duration interval;

	private final Map<String, Double> bytes = new ConcurrentHashMap<>();

	private ScheduledExecutorService job;

	/**
	 * @param stores the service's stores, as the control database lists them
	 * @param interval how often the sizes are measured
	 */
	public StorageMetrics(PlacementPools pools, Supplier<List<PlacementStore>> stores, Duration interval) {
		this.pools = pools;
		this.stores = stores;
		this.interval = interval;
	}

	@Override
	public synchronized void bindTo(MeterRegistry registry) {
		for (Cluster cluster : this.pools.clusters()) {
			Gauge.builder(METER, this, (m) -> m.bytes.getOrDefault(cluster.name(), Double.NaN))
				.description(
						"Size of the service's tenant stores on the cluster (its databases), measured periodically")
				.baseUnit("bytes")
				.tag("cluster", cluster.name())
				.tag("tier", PlacementPools.tierOf(cluster))
				.strongReference(true)
				.register(registry);
		}
		if (this.job == null) {
			this.job = Executors.newSingleThreadScheduledExecutor((r) -> {
				Thread t = new Thread(r, "tierflow-storage-metrics");
				t.setDaemon(true);
				return t;
			});
			this.job.scheduleWithFixedDelay(this::measure, 0, this.interval.toMillis(), TimeUnit.MILLISECONDS);
		}
	}

	/** Bytes of the stores on {@code cluster} at the last measure; NaN if none. */
	public double bytes(String cluster) {
		return this.bytes.getOrDefault(cluster, Double.NaN);
	}

	/** Measures every cluster now; the gauges read the result until the next measure. */
	public void measure() {
		List<PlacementStore> all;
		try {
			all = this.stores.get();
		}
		catch (RuntimeException ex) {
			log.debug("Stores not listed, storage not measured: {}", ex.toString());
			return;
		}
		for (Cluster cluster : this.pools.clusters()) {
			String base = JdbcUrls.databaseOf(cluster.jdbcUrl());
			Set<String> databases = new TreeSet<>();
			databases.add(base);
			all.stream()
				.filter((s) -> s.key().cluster().equals(cluster.name()))
				.forEach((s) -> databases.add(s.key().database()));
			try (Connection con = this.pools.owner(cluster.name(), base).getConnection();
					PreparedStatement ps = con.prepareStatement(
							"select coalesce(sum(pg_database_size(datname)), 0) from pg_database where datname = any(?)")) {
				Array names = con.createArrayOf("text", databases.toArray());
				ps.setArray(1, names);
				try (ResultSet rs = ps.executeQuery()) {
					rs.next();
					this.bytes.put(cluster.name(), (double) rs.getLong(1));
				}
			}
			catch (SQLException | RuntimeException ex) {
				log.debug("Storage of cluster {} not measured: {}", cluster.name(), ex.toString());
				this.bytes.remove(cluster.name());
			}
		}
	}

	@Override
	public synchronized void close() {
		if (this.job != null) {
			this.job.shutdownNow();
		}
	}

}
