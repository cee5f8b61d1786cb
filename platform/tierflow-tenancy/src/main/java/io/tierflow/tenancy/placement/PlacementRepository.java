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

	/** Up to {@code limit} placements on {@code cluster}, oldest first. */
	public List<TenantPlacement> onCluster(String cluster, int limit) {
		return this.control
			.sql("select " + PLACEMENT_COLUMNS + " from tenant_placement where cluster = ? order by created_at limit ?")
			.params(cluster, limit)
			.query(PlacementRepository::placement)
			.list();
	}

	public void insert(TenantPlacement p) {
		this.control
			.sql("insert into tenant_placement (" + PLACEMENT_COLUMNS + ", plan_tier) values (?,?,?,?,?,?,?,?,?,?,?,?)")
			.params(p.tenantId(), p.tier().name(), p.isolation().name(), p.cluster(), p.database(), p.schema(),
					p.region(), p.epoch(), p.state().name(), p.suspended(), p.error(), p.tier().name())
			.update();
	}

	/** Records the tier of the tenant's plan (tenant-service's tier change). */
	public void setPlanTier(UUID tenantId, Tier tier) {
		this.control.sql("update tenant_placement set plan_tier = ? where tenant_id = ?")
			.params(tier.name(), tenantId)
			.update();
	}

	/**
	 * The tier of the tenant's plan: the least isolation it paid for, which its placement
	 * never goes below.
	 */
	public Optional<Tier> planTier(UUID tenantId) {
		return this.control.sql("select coalesce(plan_tier, tier) from tenant_placement where tenant_id = ?")
			.param(tenantId)
			.query((rs, i) -> Tier.valueOf(rs.getString(1)))
			.optional();
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
		return switchPlacement(tenantId, epoch, tier, isolation, store, false);
	}

	/**
	 * Points the tenant at a new store, as
	 * {@link #switchPlacement(UUID, long, Tier, IsolationMode, StoreKey)}; with
	 * {@code planChange}, {@code tier} is its plan's tier from now on (a move carrying
	 * tenant-service's tier change).
	 */
	public boolean switchPlacement(UUID tenantId, long epoch, Tier tier, IsolationMode isolation, StoreKey store,
			boolean planChange) {
		return this.control
			.sql("update tenant_placement set tier = ?, isolation = ?, cluster = ?, database_name = ?,"
					+ " schema_name = ?, plan_tier = case when ? then ? else coalesce(plan_tier, tier) end,"
					+ " epoch = epoch + 1, updated_at = now() where tenant_id = ? and epoch = ?")
			.params(tier.name(), isolation.name(), store.cluster(), store.database(), store.schema(), planChange,
					tier.name(), tenantId, epoch)
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
		// Kept by a trigger on tenant_placement: no scan of the placements.
		this.control.sql("select cluster, tenants from tenant_cluster_count where tenants > 0")
			.query((ResultSet rs) -> {
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

	/** Records why a store is still behind, leaving its state as it is. */
	public void storeBehind(StoreKey key, String error) {
		this.control
			.sql("update tenant_store set error = ?, updated_at = now()"
					+ " where cluster = ? and database_name = ? and schema_name = ?")
			.params(error, key.cluster(), key.database(), key.schema())
			.update();
	}

	public void storeFailed(StoreKey key, String error) {
		this.control
			.sql("update tenant_store set state = ?, error = ?, updated_at = now()"
					+ " where cluster = ? and database_name = ? and schema_name = ?")
			.params(PlacementState.FAILED.name(), error, key.cluster(), key.database(), key.schema())
			.update();
	}

	/**
	 * Locks the tenant's placement row, if it has one, for the rest of the transaction.
	 */
	public Optional<TenantPlacement> findForUpdate(UUID tenantId) {
		return this.control.sql("select " + PLACEMENT_COLUMNS + " from tenant_placement where tenant_id = ? for update")
			.param(tenantId)
			.query(PlacementRepository::placement)
			.optional();
	}

	/** Whether the tenant is erased here, or being erased. */
	public boolean isErased(UUID tenantId) {
		return this.control.sql("select exists (select 1 from tenant_erasure where tenant_id = ?)")
			.param(tenantId)
			.query(Boolean.class)
			.single();
	}

	public Optional<TenantErasure> findErasure(UUID tenantId) {
		return this.control
			.sql("select tenant_id, state, tier, isolation, cluster, database_name, schema_name, report, erased_at"
					+ " from tenant_erasure where tenant_id = ?")
			.param(tenantId)
			.query((rs, i) -> new TenantErasure(rs.getObject(1, UUID.class), "ERASED".equals(rs.getString(2)),
					(rs.getString(3) != null) ? Tier.valueOf(rs.getString(3)) : null,
					(rs.getString(4) != null) ? IsolationMode.valueOf(rs.getString(4)) : null, rs.getString(5),
					rs.getString(6), rs.getString(7), rs.getString(8), rs.getObject(9, java.time.OffsetDateTime.class)))
			.optional();
	}

	/**
	 * Records that the tenant's erase starts: its placement (if any) is ERASING from now
	 * on, which no route and no provisioning accepts.
	 * @param placement the tenant's placement, or null if it has none here
	 */
	public void startErasure(UUID tenantId, TenantPlacement placement) {
		this.control
			.sql("insert into tenant_erasure (tenant_id, state, tier, isolation, cluster, database_name, schema_name)"
					+ " values (?, 'ERASING', ?, ?, ?, ?, ?) on conflict (tenant_id) do nothing")
			.params(tenantId, (placement != null) ? placement.tier().name() : null,
					(placement != null) ? placement.isolation().name() : null,
					(placement != null) ? placement.cluster() : null, (placement != null) ? placement.database() : null,
					(placement != null) ? placement.schema() : null)
			.update();
		if (placement != null) {
			updateState(tenantId, PlacementState.ERASING, null);
		}
	}

	/** Keeps the erase report, unless one was kept already. */
	public void recordErasureReport(UUID tenantId, String report) {
		this.control.sql("update tenant_erasure set report = ? where tenant_id = ? and report is null")
			.params(report, tenantId)
			.update();
	}

	/** Removes a placement (one that never served: a refused import). */
	public void delete(UUID tenantId) {
		this.control.sql("delete from tenant_placement where tenant_id = ?").param(tenantId).update();
	}

	/**
	 * Forgets an erased tenant's tombstone, so that its id can be placed again: an import
	 * that keeps the id of a tenant erased here.
	 * @return whether there was an ERASED tombstone (one still ERASING stays)
	 */
	public boolean forgetErasure(UUID tenantId) {
		return this.control.sql("delete from tenant_erasure where tenant_id = ? and state = 'ERASED'")
			.param(tenantId)
			.update() > 0;
	}

	/** Ends the erase: the placement goes, the tombstone stays. */
	public void finishErasure(UUID tenantId) {
		this.control.sql("delete from tenant_placement where tenant_id = ?").param(tenantId).update();
		this.control.sql(
				"update tenant_erasure set state = 'ERASED', erased_at = coalesce(erased_at, now()) where tenant_id = ?")
			.param(tenantId)
			.update();
	}

	/** Tenants whose erase started and has not ended. */
	public List<UUID> erasing() {
		return this.control.sql("select tenant_id from tenant_erasure where state = 'ERASING' order by started_at")
			.query(UUID.class)
			.list();
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
