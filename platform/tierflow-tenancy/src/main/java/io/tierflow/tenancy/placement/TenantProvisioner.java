package io.tierflow.tenancy.placement;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.tierflow.tenancy.TenancyProperties;
import io.tierflow.tenancy.TenancyProperties.Cluster;
import io.tierflow.tenancy.migration.PlacementMigrator;
import io.tierflow.tenancy.migration.StoreMigrationException;
import io.tierflow.tenancy.routing.PlacementDirectory;
import io.tierflow.tenancy.routing.PlacementPools;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.transaction.support.TransactionTemplate;

/**
 * Places a tenant in this service: decides the placement (tier → isolation → cluster),
 * creates its schema or database, migrates it, and marks it ready. Safe to repeat: a
 * redelivered request finishes what a crashed one started and never places a tenant
 * twice.
 */
public class TenantProvisioner {

	private static final Logger log = LoggerFactory.getLogger(TenantProvisioner.class);

	private final TenancyProperties properties;

	private final PlacementRepository placements;

	private final TransactionTemplate controlTx;

	private final ClusterSelector selector;

	private final PlacementPools pools;

	private final PlacementMigrator migrator;

	private final PlacementDirectory directory;

	private final List<PlacementListener> listeners;

	public TenantProvisioner(TenancyProperties properties, PlacementRepository placements,
			TransactionTemplate controlTx, ClusterSelector selector, PlacementPools pools, PlacementMigrator migrator,
			PlacementDirectory directory, List<PlacementListener> listeners) {
		this.properties = properties;
		this.placements = placements;
		this.controlTx = controlTx;
		this.selector = selector;
		this.pools = pools;
		this.migrator = migrator;
		this.directory = directory;
		this.listeners = List.copyOf(listeners);
	}

	/** The isolation mode a tier gets in this service. */
	public IsolationMode isolationFor(Tier tier) {
		return switch (tier) {
			case SHARED -> IsolationMode.ROW;
			case DEDICATED -> this.properties.dedicatedIsolation();
			case ENTERPRISE -> IsolationMode.DATABASE;
		};
	}

	/**
	 * Provisions the tenant, or finishes provisioning it.
	 * @return the ready placement, or a FAILED one carrying the reason
	 * @throws NoPlacementAvailableException when no cluster can take the tenant (nothing
	 * is recorded)
	 * @throws TenantErasedException when the tenant was erased here: it is never placed
	 * again
	 * @throws ProvisioningDeferredException when a transient failure stopped it (the
	 * placement stays PROVISIONING): provision again later
	 */
	public TenantPlacement provision(UUID tenantId, Tier tier, String region) {
		long start = System.nanoTime();
		TenantPlacement placement = prepare(tenantId, tier, region);
		if (placement.state() != PlacementState.PROVISIONING) {
			return placement;
		}
		TenantPlacement ready = markReady(placement);
		log.info("Tenant {} provisioned: {} {} on {} in {} ms", tenantId, tier, placement.isolation(),
				placement.store(), (System.nanoTime() - start) / 1_000_000);
		return ready;
	}

	/**
	 * Places the tenant and makes its store (schema or database, migrated to the latest
	 * version) but does not let it serve yet: an import loads and verifies its data
	 * first, then {@link #markReady}s it. Safe to repeat, like {@link #provision}.
	 * @return the placement, still PROVISIONING when its store is ready for data; READY
	 * or ERASING as found; or FAILED with the reason (answered to the listeners)
	 * @throws ProvisioningDeferredException when a transient failure stopped it (the
	 * placement stays PROVISIONING): prepare again later
	 */
	public TenantPlacement prepare(UUID tenantId, Tier tier, String region) {
		TenantPlacement placement = this.controlTx.execute((s) -> decide(tenantId, tier, region));
		if (placement.state() == PlacementState.READY || placement.state() == PlacementState.ERASING) {
			return placement;
		}
		try {
			if (placement.isolation() == IsolationMode.DATABASE) {
				createDatabase(placement);
			}
			PlacementStore store = this.controlTx.execute((s) -> this.placements.findStore(placement.store()))
				.orElseThrow();
			this.migrator.migrate(store);
		}
		catch (SQLException | RuntimeException ex) {
			if (TransientFailures.isTransient(ex)) {
				// The server could not serve for now (a restart, no connection): not a
				// reason to fail the tenant for good. Whoever asked tries again.
				this.directory.evict(tenantId);
				log.warn("Tenant {} not provisioned yet on {}, to be tried again: {}", tenantId, placement.store(),
						ex.toString());
				throw new ProvisioningDeferredException(tenantId, placement.store(), ex);
			}
			String reason = (ex instanceof StoreMigrationException sme) ? sme.reason() : ex.toString();
			TenantPlacement failed = withState(placement, PlacementState.FAILED, reason);
			this.controlTx.executeWithoutResult((s) -> {
				this.placements.updateState(tenantId, PlacementState.FAILED, reason);
				this.listeners.forEach((l) -> l.placementFailed(failed, reason));
			});
			this.directory.evict(tenantId);
			log.warn("Tenant {} could not be provisioned on {}: {}", tenantId, placement.store(), reason);
			return failed;
		}
		return withState(placement, PlacementState.PROVISIONING, null);
	}

	/**
	 * Records that the tenant's plan is now {@code tier}, its placement being there
	 * already (a tier change that needs no move here).
	 */
	public void recordPlan(UUID tenantId, Tier tier) {
		this.controlTx.executeWithoutResult((s) -> this.placements.setPlanTier(tenantId, tier));
	}

	/** Lets a prepared placement serve, telling the listeners (the saga's reply). */
	public TenantPlacement markReady(TenantPlacement placement) {
		TenantPlacement ready = withState(placement, PlacementState.READY, null);
		this.controlTx.executeWithoutResult((s) -> {
			this.placements.updateState(placement.tenantId(), PlacementState.READY, null);
			this.listeners.forEach((l) -> l.placementReady(ready));
		});
		this.directory.evict(placement.tenantId());
		return ready;
	}

	/**
	 * Forgets a placement that never served (an import that was refused): its store goes
	 * with it when it was the tenant's own.
	 */
	public void discard(TenantPlacement placement) {
		this.controlTx.executeWithoutResult((s) -> {
			this.placements.delete(placement.tenantId());
			if (placement.isolation() != IsolationMode.ROW) {
				this.placements.deleteStore(placement.store());
			}
		});
		this.directory.evict(placement.tenantId());
	}

	/**
	 * Where a tier move of the tenant would go: a cluster for the tier in the region
	 * (another than {@code avoidCluster} when rebalancing) and the store there. Nothing
	 * is created yet.
	 * @return the placement the tenant will have once moved (epoch not yet increased)
	 */
	public TenantPlacement planMove(TenantPlacement current, Tier tier, String region, String avoidCluster) {
		Map<String, Integer> load = new HashMap<>(this.controlTx.execute((s) -> this.placements.tenantsPerCluster()));
		if (avoidCluster != null) {
			load.put(avoidCluster, Integer.MAX_VALUE); // full, as far as this choice goes
		}
		Cluster cluster = this.selector.choose(tier, region, load);
		IsolationMode isolation = isolationFor(tier);
		StoreKey store = storeKey(cluster, isolation, current.tenantId());
		if (store.equals(current.store())) {
			throw new IllegalArgumentException("Tenant " + current.tenantId() + " is already in " + store);
		}
		return new TenantPlacement(current.tenantId(), tier, isolation, cluster.name(), store.database(),
				store.schema(), region, current.epoch(), PlacementState.READY, current.suspended(), null);
	}

	/**
	 * Creates the store a tier move goes to (schema or database) and migrates it to the
	 * latest version. The tenant's placement is untouched: the mover switches it.
	 */
	public void prepareStore(TenantPlacement target) throws SQLException {
		if (target.isolation() == IsolationMode.DATABASE) {
			createDatabase(target);
		}
		StoreKey store = target.store();
		this.controlTx.executeWithoutResult((s) -> this.placements.ensureStore(store, target.isolation()));
		PlacementStore prepared = this.controlTx.execute((s) -> this.placements.findStore(store)).orElseThrow();
		this.migrator.migrate(prepared);
	}

	public Optional<TenantPlacement> find(UUID tenantId) {
		return this.controlTx.execute((s) -> this.placements.find(tenantId));
	}

	private TenantPlacement decide(UUID tenantId, Tier tier, String region) {
		Optional<TenantPlacement> existing = this.placements.find(tenantId);
		if (existing.isPresent()) {
			return existing.get();
		}
		this.placements.lockPlacementDecisions();
		existing = this.placements.find(tenantId);
		if (existing.isPresent()) {
			return existing.get();
		}
		if (this.placements.isErased(tenantId)) {
			throw new TenantErasedException(tenantId);
		}
		Cluster cluster = this.selector.choose(tier, region, this.placements.tenantsPerCluster());
		IsolationMode isolation = isolationFor(tier);
		StoreKey store = storeKey(cluster, isolation, tenantId);
		this.placements.ensureStore(store, isolation);
		TenantPlacement placement = new TenantPlacement(tenantId, tier, isolation, cluster.name(), store.database(),
				store.schema(), region, 1, PlacementState.PROVISIONING, false, null);
		this.placements.insert(placement);
		return placement;
	}

	private StoreKey storeKey(Cluster cluster, IsolationMode isolation, UUID tenantId) {
		String baseDatabase = JdbcUrls.databaseOf(cluster.jdbcUrl());
		return switch (isolation) {
			case ROW -> new StoreKey(cluster.name(), baseDatabase, StoreNames.SHARED_SCHEMA);
			case SCHEMA -> new StoreKey(cluster.name(), baseDatabase, StoreNames.tenantSchema(tenantId));
			case DATABASE -> new StoreKey(cluster.name(),
					StoreNames.tenantDatabase(this.properties.service(), tenantId), StoreNames.DATABASE_SCHEMA);
		};
	}

	private void createDatabase(TenantPlacement placement) throws SQLException {
		Cluster cluster = this.pools.cluster(placement.cluster());
		try (Connection con = this.pools.owner(cluster.name(), JdbcUrls.databaseOf(cluster.jdbcUrl())).getConnection();
				Statement st = con.createStatement()) {
			// The name is derived from the tenant id only (StoreNames), never from user
			// input.
			st.execute("CREATE DATABASE " + placement.database());
		}
		catch (SQLException ex) {
			if (!"42P04".equals(ex.getSQLState())) { // duplicate_database: a retry after
														// a crash
				throw ex;
			}
		}
	}

	private static TenantPlacement withState(TenantPlacement p, PlacementState state, String error) {
		return new TenantPlacement(p.tenantId(), p.tier(), p.isolation(), p.cluster(), p.database(), p.schema(),
				p.region(), p.epoch(), state, p.suspended(), error);
	}

}
