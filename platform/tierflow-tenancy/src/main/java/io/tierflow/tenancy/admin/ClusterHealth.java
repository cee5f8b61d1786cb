package io.tierflow.tenancy.admin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.tierflow.tenancy.TenancyProperties.Cluster;
import io.tierflow.tenancy.metrics.StorageMetrics;
import io.tierflow.tenancy.placement.JdbcUrls;
import io.tierflow.tenancy.routing.PlacementPools;
import io.tierflow.tenancy.routing.StatementTimers;
import org.jspecify.annotations.Nullable;

/**
 * The health of the service's clusters for operators: each cluster reachable or not and
 * its round trip, tenants placed against its capacity, connections borrowed, the size of
 * the service's stores on it and its statements' count and p95; and the event plane's
 * figures of this instance. Clusters are probed in parallel, each for
 * {@value #PROBE_TIMEOUT_MS} ms at most, so an unreachable cluster costs the answer that
 * long and no more. Nothing here is per tenant.
 */
public class ClusterHealth implements AutoCloseable {

	static final long PROBE_TIMEOUT_MS = 3_000;

	private final String service;

	private final PlacementPools pools;

	private final Supplier<Map<String, Integer>> tenantsPerCluster;

	private final StorageMetrics storage;

	private final @Nullable MeterRegistry meters;

	private final ExecutorService probes = Executors.newCachedThreadPool((r) -> {
		Thread t = new Thread(r, "tierflow-cluster-probe");
		t.setDaemon(true);
		return t;
	});

	public ClusterHealth(String service, PlacementPools pools, Supplier<Map<String, Integer>> tenantsPerCluster,
			StorageMetrics storage, @Nullable MeterRegistry meters) {
		this.service = service;
		this.pools = pools;
		this.tenantsPerCluster = tenantsPerCluster;
		this.storage = storage;
		this.meters = meters;
	}

	/** Every cluster's health, and the events' figures of this instance. */
	public Status status() {
		Map<String, CompletableFuture<Probe>> probed = new LinkedHashMap<>();
		for (Cluster cluster : this.pools.clusters()) {
			probed.put(cluster.name(), CompletableFuture.supplyAsync(() -> probe(cluster), this.probes));
		}
		Map<String, Integer> placed;
		try {
			placed = this.tenantsPerCluster.get();
		}
		catch (RuntimeException ex) {
			placed = null;
		}
		List<ClusterStatus> clusters = new ArrayList<>();
		for (Cluster cluster : this.pools.clusters()) {
			Probe probe;
			try {
				probe = probed.get(cluster.name()).get(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
			}
			catch (TimeoutException ex) {
				probe = new Probe(false, null, "no answer within " + PROBE_TIMEOUT_MS + " ms");
			}
			catch (Exception ex) {
				probe = new Probe(false, null, ex.toString());
			}
			Integer placements = (placed != null) ? placed.getOrDefault(cluster.name(), 0) : null;
			double bytes = this.storage.bytes(cluster.name());
			clusters.add(new ClusterStatus(cluster.name(), PlacementPools.tierOf(cluster), cluster.region(),
					probe.reachable(), probe.latencyMs(), probe.error(), placements, cluster.capacity(),
					(placements != null) ? (double) placements / cluster.capacity() : null,
					this.pools.activeConnections(cluster.name()), Double.isNaN(bytes) ? null : (long) bytes,
					queries(cluster.name())));
		}
		boolean up = clusters.stream().allMatch(ClusterStatus::reachable);
		return new Status(this.service, up ? "UP" : "DEGRADED", clusters, this.pools.openDatabasePools(), events(),
				(this.meters != null) ? ProcessFigures.of(this.meters) : null, Instant.now());
	}

	private Probe probe(Cluster cluster) {
		long start = System.nanoTime();
		try (Connection con = this.pools.owner(cluster.name(), JdbcUrls.databaseOf(cluster.jdbcUrl())).getConnection();
				PreparedStatement ps = con.prepareStatement("select 1")) {
			ps.executeQuery().close();
			return new Probe(true, (System.nanoTime() - start) / 1_000_000.0, null);
		}
		catch (Exception ex) {
			return new Probe(false, null, ex.getClass().getSimpleName());
		}
	}

	private @Nullable Queries queries(String cluster) {
		if (this.meters == null) {
			return null;
		}
		Timer timer = this.meters.find(StatementTimers.METER).tag("cluster", cluster).timer();
		if (timer == null) {
			return new Queries(0, null, null);
		}
		HistogramSnapshot snapshot = timer.takeSnapshot();
		return new Queries(snapshot.count(), (snapshot.count() > 0) ? snapshot.mean(TimeUnit.MILLISECONDS) : null,
				p95(snapshot));
	}

	/** The upper bound of the histogram bucket holding the 95th percentile, in ms. */
	private static @Nullable Double p95(HistogramSnapshot snapshot) {
		if (snapshot.count() == 0) {
			return null;
		}
		double wanted = 0.95 * snapshot.count();
		for (CountAtBucket bucket : snapshot.histogramCounts()) {
			if (bucket.count() >= wanted) {
				return bucket.bucket(TimeUnit.MILLISECONDS);
			}
		}
		return snapshot.max(TimeUnit.MILLISECONDS);
	}

	private Events events() {
		return new Events(sum("tierflow.outbox.backlog"), sum("tierflow.outbox.lag"), sum("tierflow.outbox.relayed"),
				sum("tierflow.events.parked"), sum("tierflow.events.dead_lettered"));
	}

	private @Nullable Double sum(String name) {
		if (this.meters == null) {
			return null;
		}
		double total = 0;
		boolean found = false;
		for (Meter meter : this.meters.find(name).meters()) {
			double value = (meter instanceof Gauge gauge) ? gauge.value()
					: (meter instanceof Counter counter) ? counter.count() : Double.NaN;
			if (!Double.isNaN(value)) {
				total += value;
				found = true;
			}
		}
		return found ? total : null;
	}

	@Override
	public void close() {
		this.probes.shutdownNow();
	}

	private record Probe(boolean reachable, @Nullable Double latencyMs, @Nullable String error) {
	}

	/**
	 * The service's clusters and event figures.
	 *
	 * @param status {@code UP} when every cluster answers, {@code DEGRADED} otherwise
	 * @param openDatabasePools tenant database pools open now
	 * @param process this instance's requests, CPU, heap and connections (the console's
	 * KPIs)
	 */
	public record Status(String service, String status, List<ClusterStatus> clusters, int openDatabasePools,
			Events events, @Nullable ProcessFigures process, Instant at) {
	}

	/**
	 * One cluster.
	 *
	 * @param latencyMs a {@code select 1}'s round trip, connection borrow included
	 * @param placements tenants placed on it (null while the control database does not
	 * answer)
	 * @param utilization placements / capacity
	 * @param storageBytes the service's stores on it, at the last periodic measure
	 */
	public record ClusterStatus(String name, String tier, String region, boolean reachable, @Nullable Double latencyMs,
			@Nullable String error, @Nullable Integer placements, int capacity, @Nullable Double utilization,
			int connectionsActive, @Nullable Long storageBytes, @Nullable Queries queries) {
	}

	/** Statements run on the cluster's tenant stores since the instance started. */
	public record Queries(long count, @Nullable Double meanMs, @Nullable Double p95Ms) {
	}

	/** The event plane's figures of this instance (null: no such meter here). */
	public record Events(@Nullable Double outboxBacklog, @Nullable Double outboxLagSeconds, @Nullable Double relayed,
			@Nullable Double parked, @Nullable Double deadLettered) {
	}

	/** How long a probe may take, for callers that wait on several services. */
	public static Duration probeTimeout() {
		return Duration.ofMillis(PROBE_TIMEOUT_MS);
	}

}
