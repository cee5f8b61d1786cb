package io.tierflow.mover;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import io.tierflow.events.platform.ClustersFull;
import io.tierflow.tenancy.placement.ClusterRegistry;
import io.tierflow.tenancy.placement.ClusterState;
import io.tierflow.tenancy.placement.ConflictingMoveException;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantPlacement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.transaction.support.TransactionTemplate;

/**
 * Moves tenants between the clusters of a tier and region through the {@link TenantMover}
 * (its rebalancing move: copied, streamed, fenced, verified), {@code concurrency} at a
 * time:
 * <ul>
 * <li>every tenant off a DRAINING cluster ({@link ClusterRegistry}), which is marked
 * DRAINED once none is left;</li>
 * <li>tenants off a cluster above its high-water mark, to the clusters of its role and
 * region below theirs, until it is back under its mark. When none has room, it says so
 * once: an event ({@code tierflow.platform.clusters_full.v1}), a warning here, and the
 * {@code tierflow.clusters.with.room} gauge with its alert say a cluster must be added,
 * which Tierflow does not do itself.</li>
 * </ul>
 * A pass takes up to {@code concurrency} tenants of each such cluster and waits for their
 * moves; the service runs passes one after another on one instance ({@code JobLeases}). A
 * tenant in a move of its own (a tier change) is left to the next pass; a pass on another
 * instance at the same time is harmless, as a tenant has one move at a time.
 */
public class ClusterBalancer {

	private static final Logger log = LoggerFactory.getLogger(ClusterBalancer.class);

	private final ClusterRegistry clusters;

	private final PlacementRepository placements;

	private final TransactionTemplate controlTx;

	private final TenantMover mover;

	private final TenantMover.Options options;

	private final int concurrency;

	private final AtomicInteger moved = new AtomicInteger();

	/** Clusters above their mark whose siblings are full too, said once per crossing. */
	private final java.util.Set<String> full = java.util.concurrent.ConcurrentHashMap.newKeySet();

	/** Announces a cluster above its mark with no sibling with room. */
	private final java.util.function.Consumer<ClustersFull> announce;

	private final String service;

	/**
	 * @param announce writes the event that a cluster must be added (to the control
	 * outbox, in a transaction of its own)
	 */
	public ClusterBalancer(String service, ClusterRegistry clusters, PlacementRepository placements,
			TransactionTemplate controlTx, TenantMover mover, TenantMover.Options options, int concurrency,
			java.util.function.Consumer<ClustersFull> announce) {
		this.service = service;
		this.announce = announce;
		this.clusters = clusters;
		this.placements = placements;
		this.controlTx = controlTx;
		this.mover = mover;
		this.options = options;
		this.concurrency = concurrency;
	}

	/**
	 * One pass over the draining clusters and those above their high-water mark.
	 * @return the tenants moved off them in this pass
	 */
	public int balanceOnce() throws InterruptedException {
		int movedNow = 0;
		Map<String, Integer> tenants = this.controlTx.execute((s) -> this.placements.tenantsPerCluster());
		for (ClusterRegistry.Registered cluster : this.clusters.all()) {
			int placed = tenants.getOrDefault(cluster.name(), 0);
			if (cluster.state() == ClusterState.DRAINING) {
				movedNow += drain(cluster.name());
			}
			else if (cluster.state() == ClusterState.ACTIVE
					&& this.clusters.aboveHighWaterMark(cluster.name(), placed)) {
				movedNow += relieve(cluster, placed, tenants);
			}
			else {
				this.full.remove(cluster.name());
			}
		}
		return movedNow;
	}

	/**
	 * Moves tenants off a cluster above its high-water mark to its siblings with room, at
	 * most as many as bring it back under its mark and as its siblings have room for.
	 */
	private int relieve(ClusterRegistry.Registered cluster, int placed, Map<String, Integer> tenants)
			throws InterruptedException {
		int over = placed - (int) Math.floor(cluster.highWaterMark() * cluster.capacity());
		int room = 0;
		for (ClusterRegistry.Registered sibling : this.clusters.all()) {
			if (sibling.role() == cluster.role() && sibling.region().equals(cluster.region())
					&& !sibling.name().equals(cluster.name())) {
				int theirs = tenants.getOrDefault(sibling.name(), 0);
				if (this.clusters.hasRoom(sibling.name(), theirs, 1)) {
					room += (int) Math.floor(sibling.highWaterMark() * sibling.capacity()) - theirs;
				}
			}
		}
		if (room <= 0) {
			if (this.full.add(cluster.name())) {
				this.announce.accept(new ClustersFull(this.service, cluster.role().name(), cluster.region(),
						cluster.name(), placed, cluster.capacity(), cluster.highWaterMark()));
				log.warn(
						"Cluster {} holds {} tenants, above its high-water mark ({}% of {}), and no {} cluster in {}"
								+ " has room: add a cluster there",
						cluster.name(), placed, Math.round(cluster.highWaterMark() * 100), cluster.capacity(),
						cluster.role(), cluster.region());
			}
			return 0;
		}
		this.full.remove(cluster.name());
		int count = Math.min(Math.min(over, room), this.concurrency);
		log.info("Cluster {} is above its high-water mark ({} tenants of {}): moving {} to clusters with room",
				cluster.name(), placed, cluster.capacity(), count);
		return moveOff(cluster.name(), count, "Rebalancing");
	}

	/** Whether the cluster is above its high-water mark and no sibling has room. */
	public boolean full(String cluster) {
		return this.full.contains(cluster);
	}

	/** Tenants moved off clusters by this instance since it started. */
	public int moved() {
		return this.moved.get();
	}

	private int drain(String cluster) throws InterruptedException {
		if (this.controlTx.execute((s) -> this.placements.onCluster(cluster, 1)).isEmpty()) {
			this.clusters.update(cluster, null, null, ClusterState.DRAINED, "drained: no tenant left");
			log.info("Cluster {} drained: no tenant is placed on it", cluster);
			return 0;
		}
		return moveOff(cluster, this.concurrency, "Draining");
	}

	/** Moves up to {@code count} ready tenants off {@code cluster} at once. */
	private int moveOff(String cluster, int count, String why) throws InterruptedException {
		List<TenantPlacement> batch = this.controlTx.execute((s) -> this.placements.onCluster(cluster, count * 4))
			.stream()
			.filter((p) -> p.state() == PlacementState.READY)
			.limit(count)
			.toList();
		if (batch.isEmpty()) {
			return 0;
		}
		ExecutorService workers = Executors.newFixedThreadPool(Math.max(1, batch.size()), (r) -> {
			Thread thread = new Thread(r, "tierflow-cluster-move");
			thread.setDaemon(true);
			return thread;
		});
		List<Future<Boolean>> moves = new ArrayList<>();
		try {
			for (TenantPlacement placement : batch) {
				moves.add(workers.submit(() -> move(cluster, placement, why)));
			}
			int done = 0;
			for (Future<Boolean> move : moves) {
				try {
					if (move.get()) {
						done++;
					}
				}
				catch (ExecutionException ex) {
					log.warn("{} {}: a move failed: {}", why, cluster, ex.getCause().toString());
				}
			}
			int total = this.moved.addAndGet(done);
			log.info("{} {}: moved {} tenants off in this pass ({} by this instance in all)", why, cluster, done,
					total);
			return done;
		}
		finally {
			workers.shutdownNow();
		}
	}

	private boolean move(String cluster, TenantPlacement placement, String why) throws Exception {
		try {
			MoveReport report = this.mover.move(placement.tenantId(), placement.tier(), placement.region(), cluster,
					this.options, TenantMover.Progress.NONE);
			if (!report.succeeded()) {
				log.warn("{} {}: moving tenant {} failed, it stays for the next pass: {}", why, cluster,
						placement.tenantId(), report.reason());
				return false;
			}
			log.info("{} {}: tenant {} moved to {}", why, cluster, placement.tenantId(), report.to().cluster());
			return true;
		}
		catch (ConflictingMoveException ex) {
			log.info("{} {}: tenant {} is in a move already; the next pass sees where it went", why, cluster,
					placement.tenantId());
			return false;
		}
	}

}
