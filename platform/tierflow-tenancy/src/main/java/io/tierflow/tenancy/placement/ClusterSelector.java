package io.tierflow.tenancy.placement;

import java.sql.Connection;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import io.tierflow.tenancy.TenancyProperties.Cluster;
import io.tierflow.tenancy.routing.PlacementPools;

/**
 * Picks the cluster for a new placement: the right role for the tier, in the tenant's
 * region, reachable, with free capacity; the least loaded of those. Never falls back to
 * another region or role: data residency and tier isolation are promises.
 */
public class ClusterSelector {

	private static final Duration HEALTH_TTL = Duration.ofSeconds(5);

	private final PlacementPools pools;

	private final Map<String, Health> health = new ConcurrentHashMap<>();

	private final java.util.function.Predicate<String> takesTenants;

	public ClusterSelector(PlacementPools pools) {
		this(pools, (cluster) -> true);
	}

	/**
	 * @param takesTenants whether a cluster takes new placements (not marked unhealthy,
	 * not drained: {@link ClusterRegistry#takesTenants})
	 */
	public ClusterSelector(PlacementPools pools, java.util.function.Predicate<String> takesTenants) {
		this.pools = pools;
		this.takesTenants = takesTenants;
	}

	/**
	 * @param tenantsPerCluster current placements per cluster
	 * @throws NoPlacementAvailableException when no cluster qualifies, saying why
	 */
	public Cluster choose(Tier tier, String region, Map<String, Integer> tenantsPerCluster) {
		ClusterRole role = tier.clusterRole();
		List<Cluster> ofRole = stream().filter((c) -> c.role() == role).toList();
		if (ofRole.isEmpty()) {
			throw new NoPlacementAvailableException("No " + role + " cluster is configured for tier " + tier);
		}
		List<Cluster> inRegion = ofRole.stream().filter((c) -> c.region().equalsIgnoreCase(region)).toList();
		if (inRegion.isEmpty()) {
			Set<String> regions = new TreeSet<>();
			ofRole.forEach((c) -> regions.add(c.region()));
			throw new NoPlacementAvailableException(
					"No " + role + " cluster in region '" + region + "' (regions with one: " + regions + ")");
		}
		List<Cluster> open = inRegion.stream().filter((c) -> this.takesTenants.test(c.name())).toList();
		if (open.isEmpty()) {
			throw new NoPlacementAvailableException("Every " + role + " cluster in region '" + region
					+ "' is marked unhealthy or is being drained: " + names(inRegion));
		}
		List<Cluster> withRoom = open.stream()
			.filter((c) -> tenantsPerCluster.getOrDefault(c.name(), 0) < c.capacity())
			.toList();
		if (withRoom.isEmpty()) {
			throw new NoPlacementAvailableException(
					"Every " + role + " cluster in region '" + region + "' is at capacity: " + names(inRegion));
		}
		List<Cluster> healthy = withRoom.stream().filter(this::healthy).toList();
		if (healthy.isEmpty()) {
			throw new NoPlacementAvailableException("No " + role + " cluster in region '" + region
					+ "' with free capacity is reachable: " + names(withRoom));
		}
		return healthy.stream()
			.min(Comparator
				.comparingDouble((Cluster c) -> tenantsPerCluster.getOrDefault(c.name(), 0) / (double) c.capacity())
				.thenComparing(Cluster::name))
			.orElseThrow();
	}

	private java.util.stream.Stream<Cluster> stream() {
		return java.util.stream.StreamSupport.stream(this.pools.clusters().spliterator(), false);
	}

	private boolean healthy(Cluster cluster) {
		long now = System.nanoTime();
		Health known = this.health.get(cluster.name());
		if (known != null && now - known.checkedAt() < HEALTH_TTL.toNanos()) {
			return known.up();
		}
		boolean up;
		try (Connection con = this.pools
			.owner(cluster.name(), io.tierflow.tenancy.placement.JdbcUrls.databaseOf(cluster.jdbcUrl()))
			.getConnection()) {
			up = con.isValid(2);
		}
		catch (Exception ex) {
			up = false;
		}
		this.health.put(cluster.name(), new Health(up, now));
		return up;
	}

	private static List<String> names(List<Cluster> clusters) {
		return clusters.stream().map(Cluster::name).toList();
	}

	private record Health(boolean up, long checkedAt) {
	}

}
