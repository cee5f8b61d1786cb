package io.tierflow.tenancy;

import java.sql.Connection;

import javax.sql.DataSource;

import io.tierflow.tenancy.TenancyProperties.Cluster;
import io.tierflow.tenancy.placement.JdbcUrls;
import io.tierflow.tenancy.routing.PlacementChanges;
import io.tierflow.tenancy.routing.PlacementPools;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of a tenant-data service's databases: DOWN when the control database is
 * unreachable; each cluster's reachability in the details (one cluster down leaves the
 * others serving). It replaces Boot's DataSource health, which cannot borrow from the
 * tenant-routed DataSource outside a tenant transaction. Whether placement changes reach
 * this instance as they commit is a detail too: without them routes live out their time
 * to live, which is slower, not wrong for writes (they are fenced).
 */
public class TenancyHealthIndicator implements HealthIndicator {

	private final DataSource control;

	private final PlacementPools pools;

	private final PlacementChanges changes;

	public TenancyHealthIndicator(DataSource control, PlacementPools pools, PlacementChanges changes) {
		this.control = control;
		this.pools = pools;
		this.changes = changes;
	}

	@Override
	public Health health() {
		Health.Builder health = valid(this.control) ? Health.up() : Health.down();
		health.withDetail("control", valid(this.control) ? "UP" : "DOWN");
		for (Cluster cluster : this.pools.clusters()) {
			boolean up = valid(this.pools.owner(cluster.name(), JdbcUrls.databaseOf(cluster.jdbcUrl())));
			health.withDetail("cluster." + cluster.name(), up ? "UP" : "DOWN");
		}
		health.withDetail("openDatabasePools", this.pools.openDatabasePools());
		health.withDetail("placementChanges", this.changes.isListening() ? "LISTENING" : "NOT LISTENING");
		return health.build();
	}

	private static boolean valid(DataSource dataSource) {
		try (Connection con = dataSource.getConnection()) {
			return con.isValid(2);
		}
		catch (Exception ex) {
			return false;
		}
	}

}
