package io.tierflow.events.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import io.tierflow.tenancy.TenancyBootstrap;
import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.PlacementStore;
import io.tierflow.tenancy.placement.StoreKey;
import io.tierflow.tenancy.routing.PlacementPools;

import org.springframework.transaction.support.TransactionTemplate;

/**
 * The outboxes of a tenant-data service, as its relay sweeps them: the control database's
 * and one in every ready store. The outbox of a tenant database whose owner pool is
 * closed is listed {@link OutboxLocation#cold() cold}, reached over plain connections, so
 * that a sweep neither opens a pool per tenant database nor pushes the pools of tenants
 * being served out of the cache.
 */
public final class StoreOutboxes {

	/** How long the stores read from the control database are used. */
	public static final Duration STORES_MAX_AGE = Duration.ofSeconds(30);

	private final OutboxLocation control;

	private final TransactionTemplate controlTx;

	private final PlacementRepository placements;

	private final PlacementPools pools;

	private volatile List<PlacementStore> stores;

	private volatile long storesReadAt;

	public StoreOutboxes(DataSource control, TransactionTemplate controlTx, PlacementRepository placements,
			PlacementPools pools) {
		this.control = new OutboxLocation("control", control, TenancyBootstrap.CONTROL_SCHEMA);
		this.controlTx = controlTx;
		this.placements = placements;
		this.pools = pools;
	}

	/**
	 * Every outbox, the control database's first. The stores are read from the control
	 * database at most every {@link #STORES_MAX_AGE}: 11,000 rows each sweep were most of
	 * an idle relay's time. A store added meanwhile is not swept until then; an outbox
	 * written to is woken at once regardless.
	 */
	public List<OutboxLocation> every() {
		List<PlacementStore> stores = this.stores;
		long now = System.nanoTime();
		if (stores == null || now - this.storesReadAt > STORES_MAX_AGE.toNanos()) {
			stores = this.controlTx.execute((s) -> this.placements.stores());
			this.stores = stores;
			this.storesReadAt = now;
		}
		List<OutboxLocation> all = new ArrayList<>(stores.size() + 1);
		all.add(this.control);
		for (PlacementStore store : stores) {
			if (store.state() != PlacementState.READY) {
				continue;
			}
			StoreKey key = store.key();
			if (store.isolation() == IsolationMode.DATABASE
					&& !this.pools.isOpen(key.cluster(), key.database(), true)) {
				all.add(new OutboxLocation(name(key.cluster(), key.database(), key.schema()),
						() -> this.pools.plainOwner(key.cluster(), key.database()), key.schema(), true));
			}
			else {
				all.add(of(this.pools, key.cluster(), key.database(), key.schema()));
			}
		}
		return all;
	}

	/** The outbox of a store, reached through its owner pool. */
	public static OutboxLocation of(PlacementPools pools, String cluster, String database, String schema) {
		return new OutboxLocation(name(cluster, database, schema), () -> pools.owner(cluster, database), schema);
	}

	private static String name(String cluster, String database, String schema) {
		return cluster + "/" + database + "/" + schema;
	}

}
