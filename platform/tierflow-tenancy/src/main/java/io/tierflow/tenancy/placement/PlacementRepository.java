package io.tierflow.tenancy.placement;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The service's control tables: one row per tenant placement and one per physical store.
 * All methods join the caller's control transaction.
 */
public class PlacementRepository {

	private static final String PLACEMENT_COLUMNS = "tenant_id, tier, isolation, cluster, database_name, schema_name, region, epoch, state, suspended, error";

	private final JdbcClient control;

	public PlacementRepository(JdbcClient control) {
		this.control = control;
	}

	public Optional<TenantPlacement> find(UUID tenantId) {
		return this.control.sql("select " + PLACEMENT_COLUMNS + " from tenant_placement where tenant_id = ?")
			.param(tenantId)
			.query(PlacementRepository::placement)
			.optional();
	}

	/** The placement together with its store, for routing decisions. */
	public Optional<Routed> findRouted(UUID tenantId) {
		return this.control
			.sql("select p.tenant_id, p.tier, p.isolation, p.cluster, p.database_name, p.schema_name,"
					+ " p.region, p.epoch, p.state, p.suspended, p.error, s.schema_version, s.state as store_state"
					+ " from tenant_placement p join tenant_store s using (cluster, database_name, schema_name)"
					+ " where p.tenant_id = ?")
			.param(tenantId)
			.query((rs, i) -> new Routed(placement(rs, i), rs.getString("schema_version"),
					PlacementState.valueOf(rs.getString("store_state"))))
			.optional();
	}

	public List<TenantPlacement> findAll(int limit, int offset) {
		return this.control
			.sql("select " + PLACEMENT_COLUMNS + " from tenant_placement order by tenant_id limit ? offset ?")
			.params(limit, offset)
			.query(PlacementRepository::placement)
			.list();
	}

	public void insert(TenantPlacement p) {
		this.control.sql("insert into tenant_placement (" + PLACEMENT_COLUMNS + ") values (?,?,?,?,?,?,?,?,?,?,?)")
			.params(p.tenantId(), p.tier().name(), p.isolation().name(), p.cluster(), p.database(), p.schema(),
					p.region(), p.epoch(), p.state().name(), p.suspended(), p.error())
			.update();
	}

	public void updateState(UUID tenantId, PlacementState state, String error) {
		this.control.sql("update tenant_placement set state = ?, error = ?, updated_at = now() where tenant_id = ?")
			.params(state.name(), error, tenantId)
			.update();
	}

	/**
	 * Points the tenant at a new store (a tier move's switch), epoch + 1, if its
	 * placement is still at {@code epoch}.
	 * @return whether it was switched
	 */
	public boolean switchPlacement(UUID tenantId, long epoch, Tier tier, IsolationMode isolation, StoreKey store) {
		return this.control
			.sql("update tenant_placement set tier = ?, isolation = ?, cluster = ?, database_name = ?,"
					+ " schema_name = ?, epoch = epoch + 1, updated_at = now() where tenant_id = ? and epoch = ?")
			.params(tier.name(), isolation.name(), store.cluster(), store.database(), store.schema(), tenantId, epoch)
			.update() > 0;
	}

	public boolean setSuspended(UUID tenantId, boolean suspended) {
		return this.control.sql("update tenant_placement set suspended = ?, updated_at = now() where tenant_id = ?")
			.params(suspended, tenantId)
			.update() > 0;
	}

	/** Tenants per cluster, for capacity decisions. */
	public Map<String, Integer> tenantsPerCluster() {
		Map<String, Integer> counts = new HashMap<>();
		this.control.sql("select cluster, count(*) from tenant_placement group by cluster").query((ResultSet rs) -> {
			counts.put(rs.getString(1), rs.getInt(2));
		});
		return counts;
	}

	/** Serializes placement decisions across every instance of the service. */
	public void lockPlacementDecisions() {
		this.control.sql("select pg_advisory_xact_lock(hashtext('tierflow.placement'))").query().singleValue();
	}

	public void ensureStore(StoreKey key, IsolationMode isolation) {
		this.control
			.sql("insert into tenant_store (cluster, database_name, schema_name, isolation, state)"
					+ " values (?,?,?,?,?) on conflict do nothing")
			.params(key.cluster(), key.database(), key.schema(), isolation.name(), PlacementState.PROVISIONING.name())
			.update();
	}

	/**
	 * Forgets a store that was dropped (a tier move's abandoned target or old source).
	 */
	public void deleteStore(StoreKey key) {
		this.control.sql("delete from tenant_store where cluster = ? and database_name = ? and schema_name = ?")
			.params(key.cluster(), key.database(), key.schema())
			.update();
	}

	public Optional<PlacementStore> findStore(StoreKey key) {
		return this.control
			.sql("select cluster, database_name, schema_name, isolation, schema_version, state, error"
					+ " from tenant_store where cluster = ? and database_name = ? and schema_name = ?")
			.params(key.cluster(), key.database(), key.schema())
			.query(PlacementRepository::store)
			.optional();
	}

	public List<PlacementStore> stores() {
		return this.control
			.sql("select cluster, database_name, schema_name, isolation, schema_version, state, error"
					+ " from tenant_store order by created_at, cluster, database_name, schema_name")
			.query(PlacementRepository::store)
			.list();
	}

	public void storeMigrated(StoreKey key, String version) {
		this.control
			.sql("update tenant_store set schema_version = ?, state = ?, error = null, updated_at = now()"
					+ " where cluster = ? and database_name = ? and schema_name = ?")
			.params(version, PlacementState.READY.name(), key.cluster(), key.database(), key.schema())
			.update();
	}

	public void storeFailed(StoreKey key, String error) {
		this.control
			.sql("update tenant_store set state = ?, error = ?, updated_at = now()"
					+ " where cluster = ? and database_name = ? and schema_name = ?")
			.params(PlacementState.FAILED.name(), error, key.cluster(), key.database(), key.schema())
			.update();
	}

	private static TenantPlacement placement(ResultSet rs, int row) throws SQLException {
		return new TenantPlacement(rs.getObject("tenant_id", UUID.class), Tier.valueOf(rs.getString("tier")),
				IsolationMode.valueOf(rs.getString("isolation")), rs.getString("cluster"),
				rs.getString("database_name"), rs.getString("schema_name"), rs.getString("region"), rs.getLong("epoch"),
				PlacementState.valueOf(rs.getString("state")), rs.getBoolean("suspended"), rs.getString("error"));
	}

	private static PlacementStore store(ResultSet rs, int row) throws SQLException {
		return new PlacementStore(
				new StoreKey(rs.getString("cluster"), rs.getString("database_name"), rs.getString("schema_name")),
				IsolationMode.valueOf(rs.getString("isolation")), rs.getString("schema_version"),
				PlacementState.valueOf(rs.getString("state")), rs.getString("error"));
	}

	/** A placement with the migration state of its store. */
	public record Routed(TenantPlacement placement, String storeVersion, PlacementState storeState) {
	}

}
