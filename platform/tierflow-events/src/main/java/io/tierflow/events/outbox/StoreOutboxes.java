package io.tierflow.events.outbox;

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

	private final OutboxLocation control;

	private final TransactionTemplate controlTx;

	private final PlacementRepository placements;

	private final PlacementPools pools;

	public StoreOutboxes(DataSource control, TransactionTemplate controlTx, PlacementRepository placements,
			PlacementPools pools) {
		this.control = new OutboxLocation("control", control, TenancyBootstrap.CONTROL_SCHEMA);
		this.controlTx = controlTx;
		this.placements = placements;
		this.pools = pools;
	}

	/** Every outbox, the control database's first. */
	public List<OutboxLocation> every() {
		List<OutboxLocation> all = new ArrayList<>();
		all.add(this.control);
		for (PlacementStore store : this.controlTx.execute((s) -> this.placements.stores())) {
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
