package io.tierflow.mover;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tierflow.tenancy.TenancyProperties.Cluster;
import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.JdbcUrls;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.routing.PlacementPools;

import org.springframework.transaction.support.TransactionTemplate;

/**
 * Removes one tenant's data from a store: its rows from shared tables, or the whole
 * schema or database (and the store's record) when it was the tenant's own. Used by the
 * mover for an old source or an abandoned target, and by the eraser. Every step is safe
 * to repeat. The tenant's outbox rows in a store are the relay's: a removal that must not
 * lose them waits until they are relayed ({@link #awaitOutboxDrained}).
 */
final class StoreRemoval {

	private final PlacementRepository placements;

	private final TransactionTemplate controlTx;

	private final PlacementPools pools;

	StoreRemoval(PlacementRepository placements, TransactionTemplate controlTx, PlacementPools pools) {
		this.placements = placements;
		this.controlTx = controlTx;
		this.pools = pools;
	}

	/** The store behind a placement, reached as the cluster's owner. */
	Store store(TenantPlacement placement) {
		Cluster cluster = this.pools.cluster(placement.cluster());
		return new Store(JdbcUrls.withDatabase(cluster.jdbcUrl(), placement.database()), cluster.username(),
				cluster.password(), placement.schema());
	}

	/**
	 * Removes the tenant's data from the placement's store, and forgets the store when it
	 * was the tenant's own. The tenant's outbox rows there are left to the relay.
	 */
	void remove(TenantPlacement placement, Store store) throws SQLException {
		removeData(placement, store, false);
		if (placement.isolation() != IsolationMode.ROW) {
			this.controlTx.executeWithoutResult((s) -> this.placements.deleteStore(placement.store()));
		}
	}

	/**
	 * Removes the tenant's data from the placement's store; the store's record stays (the
	 * caller forgets it once nothing refers to it).
	 * @param withOutbox whether the tenant's outbox rows go too (an erase)
	 */
	void removeData(TenantPlacement placement, Store store, boolean withOutbox) throws SQLException {
		switch (placement.isolation()) {
			case ROW -> {
				try (Connection con = store.connect()) {
					con.setAutoCommit(false);
					for (String table : tables(con, store, withOutbox)) {
						try (PreparedStatement ps = con
							.prepareStatement("delete from " + store.qualified(table) + " where tenant_id = ?")) {
							ps.setObject(1, placement.tenantId());
							ps.executeUpdate();
						}
					}
					con.commit();
				}
			}
			case SCHEMA -> {
				try (Connection con = store.connect(); Statement st = con.createStatement()) {
					st.execute("drop schema if exists " + Sql.quote(store.schema()) + " cascade");
				}
			}
			case DATABASE -> {
				this.pools.evict(placement.cluster(), placement.database());
				Cluster cluster = this.pools.cluster(placement.cluster());
				try (Connection con = this.pools.owner(cluster.name(), JdbcUrls.databaseOf(cluster.jdbcUrl()))
					.getConnection(); Statement st = con.createStatement()) {
					// The name comes from the tenant id only (StoreNames).
					st.execute("drop database if exists " + placement.database() + " with (force)");
				}
			}
		}
	}

	/**
	 * Waits until the relay has sent the tenant's outbox rows in {@code source} (there
	 * are none when it has no outbox).
	 * @throws IllegalStateException when some are left after {@code within}
	 */
	static void awaitOutboxDrained(Store source, UUID tenant, Duration within)
			throws SQLException, InterruptedException {
		long deadline = System.nanoTime() + within.toNanos();
		try (Connection con = source.connect()) {
			boolean hasOutbox;
			try (PreparedStatement ps = con.prepareStatement("select to_regclass(?) is not null")) {
				ps.setString(1, source.qualified("outbox"));
				var rs = ps.executeQuery();
				rs.next();
				hasOutbox = rs.getBoolean(1);
			}
			while (hasOutbox) {
				try (PreparedStatement ps = con
					.prepareStatement("select count(*) from " + source.qualified("outbox") + " where tenant_id = ?")) {
					ps.setObject(1, tenant);
					var rs = ps.executeQuery();
					rs.next();
					if (rs.getLong(1) == 0) {
						return;
					}
				}
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("Tenant " + tenant + "'s events in " + source.schema()
							+ " were not relayed within " + within + "; its old data stays until they are");
				}
				Thread.sleep(100); // the relay drains it on its own schedule
			}
		}
	}

	/**
	 * The tenant's rows per table of the store (outbox included), in one snapshot; empty
	 * when the store is gone already.
	 */
	static Map<String, Long> count(Store store, UUID tenant) throws SQLException {
		Map<String, Long> rows = new LinkedHashMap<>();
		try (Connection con = store.connect()) {
			TableChecksum.pin(con);
			for (String table : tables(con, store, true)) {
				try (PreparedStatement ps = con
					.prepareStatement("select count(*) from " + store.qualified(table) + " where tenant_id = ?")) {
					ps.setObject(1, tenant);
					try (ResultSet rs = ps.executeQuery()) {
						rs.next();
						rows.put(table, rs.getLong(1));
					}
				}
			}
			con.commit();
		}
		catch (SQLException ex) {
			if ("3D000".equals(ex.getSQLState())) { // invalid_catalog_name: dropped
													// already
				return rows;
			}
			throw ex;
		}
		return rows;
	}

	private static List<String> tables(Connection con, Store store, boolean withOutbox) throws SQLException {
		List<String> tables = new ArrayList<>();
		for (TenantTable table : TenantTable.of(con, store.schema())) {
			tables.add(table.name());
		}
		if (withOutbox && hasTable(con, store, "outbox")) {
			tables.add("outbox");
		}
		return tables;
	}

	private static boolean hasTable(Connection con, Store store, String table) throws SQLException {
		try (PreparedStatement ps = con.prepareStatement("select to_regclass(?) is not null")) {
			ps.setString(1, store.qualified(table));
			try (ResultSet rs = ps.executeQuery()) {
				rs.next();
				return rs.getBoolean(1);
			}
		}
	}

}
