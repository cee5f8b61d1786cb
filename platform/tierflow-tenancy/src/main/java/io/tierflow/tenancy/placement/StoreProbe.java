package io.tierflow.tenancy.placement;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import javax.sql.DataSource;

import io.tierflow.tenancy.routing.PlacementPools;
import org.postgresql.PGStatement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.transaction.support.TransactionTemplate;

/**
 * Finds the tenants a sweep has work for, so that it visits those instead of opening a
 * transaction for every tenant. It asks each database, with the owner's rights, which of
 * its stores hold rows of a table that match a condition: one statement for the tenants
 * of a shared schema, one per {@value #CHUNK} tenant schemas of a database. Only ready,
 * unsuspended tenants are answered, and only where they are placed now (a moved tenant's
 * old rows do not count). A store that cannot be probed (unreachable, its table not there
 * yet) answers with all its tenants, so nothing is missed: the sweep visits them through
 * the tenancy layer as it always did.
 */
public class StoreProbe {

	/** Tenant schemas of one database probed by one statement. */
	public static final int CHUNK = 100;

	private static final Logger log = LoggerFactory.getLogger(StoreProbe.class);

	private static final int PAGE = 1000;

	private final PlacementRepository placements;

	private final TransactionTemplate controlTx;

	private final PlacementPools pools;

	public StoreProbe(PlacementRepository placements, TransactionTemplate controlTx, PlacementPools pools) {
		this.placements = placements;
		this.controlTx = controlTx;
		this.pools = pools;
	}

	/**
	 * The ready, unsuspended tenants with rows in {@code table} for which
	 * {@code condition} holds.
	 * @param table an unqualified table of the service's tenant schema
	 * @param condition an SQL condition over that table's columns, constant text of the
	 * caller's (it is part of the statement, not a parameter); {@code null} for any row
	 */
	public Set<UUID> tenantsWith(String table, String condition) {
		Map<StoreKey, List<TenantPlacement>> byStore = readyByStore();
		Map<String, List<StoreKey>> byDatabase = new LinkedHashMap<>();
		for (StoreKey store : byStore.keySet()) {
			byDatabase.computeIfAbsent(store.cluster() + "/" + store.database(), (k) -> new ArrayList<>()).add(store);
		}
		Set<UUID> found = new HashSet<>();
		for (List<StoreKey> stores : byDatabase.values()) {
			List<StoreKey> schemas = new ArrayList<>();
			for (StoreKey store : stores) {
				List<TenantPlacement> tenants = byStore.get(store);
				if (tenants.get(0).isolation() == IsolationMode.ROW) {
					found.addAll(sharedTenantsWith(store, tenants, table, condition));
				}
				else {
					schemas.add(store);
				}
			}
			for (int from = 0; from < schemas.size(); from += CHUNK) {
				List<StoreKey> chunk = schemas.subList(from, Math.min(schemas.size(), from + CHUNK));
				for (StoreKey store : schemasWith(chunk, table, condition)) {
					byStore.get(store).forEach((p) -> found.add(p.tenantId()));
				}
			}
		}
		return found;
	}

	private Map<StoreKey, List<TenantPlacement>> readyByStore() {
		Map<StoreKey, List<TenantPlacement>> byStore = new LinkedHashMap<>();
		for (int offset = 0;; offset += PAGE) {
			int from = offset;
			List<TenantPlacement> page = this.controlTx.execute((s) -> this.placements.findAll(PAGE, from));
			for (TenantPlacement p : page) {
				if (p.state() == PlacementState.READY && !p.suspended()) {
					byStore.computeIfAbsent(p.store(), (k) -> new ArrayList<>()).add(p);
				}
			}
			if (page.size() < PAGE) {
				return byStore;
			}
		}
	}

	private Set<UUID> sharedTenantsWith(StoreKey store, List<TenantPlacement> placed, String table, String condition) {
		Set<UUID> here = new HashSet<>();
		placed.forEach((p) -> here.add(p.tenantId()));
		String sql = "select distinct tenant_id from " + store.schema() + "." + table + where(condition);
		Set<UUID> found = new HashSet<>();
		try (Connection con = owner(store).getConnection();
				PreparedStatement ps = con.prepareStatement(sql);
				ResultSet rs = ps.executeQuery()) {
			while (rs.next()) {
				UUID tenant = rs.getObject(1, UUID.class);
				if (here.contains(tenant)) {
					found.add(tenant);
				}
			}
			return found;
		}
		catch (SQLException | RuntimeException ex) {
			log.debug("Could not probe {}.{} on {} ({}); its {} tenants are visited", store.schema(), table, store,
					ex.toString(), here.size());
			return here;
		}
	}

	/**
	 * The stores of {@code chunk} (tenant schemas, all in one database) whose table has
	 * matching rows; all of them if that cannot be told.
	 */
	private List<StoreKey> schemasWith(List<StoreKey> chunk, String table, String condition) {
		List<String> schemas = chunk.stream().map(StoreKey::schema).toList();
		try {
			return schemasWith(owner(chunk.get(0)), schemas, table, condition).stream().map(chunk::get).toList();
		}
		catch (SQLException | RuntimeException ex) {
			log.debug("Could not probe {} stores for {} at once ({}); all are visited", chunk.size(), table,
					ex.toString());
			return chunk;
		}
	}

	/**
	 * Which of {@code schemas}, all in the database of {@code owner}, have rows in
	 * {@code table} for which {@code condition} holds, asked in one statement: their
	 * indexes in {@code schemas}. Keep a list's order from call to call: the server keeps
	 * the statement's plan while its text stays the same.
	 * @param condition constant SQL over the table's columns, {@code null} for any row
	 * @throws SQLException if it cannot be told (a schema or table missing, say)
	 */
	public static List<Integer> schemasWith(DataSource owner, List<String> schemas, String table, String condition)
			throws SQLException {
		StringBuilder sql = new StringBuilder(schemas.size() * 80);
		for (int i = 0; i < schemas.size(); i++) {
			if (i > 0) {
				sql.append(" union all ");
			}
			sql.append("select ")
				.append(i)
				.append(" where exists (select from ")
				.append(schemas.get(i))
				.append('.')
				.append(table)
				.append(where(condition))
				.append(')');
		}
		List<Integer> found = new ArrayList<>();
		try (Connection con = owner.getConnection(); PreparedStatement ps = con.prepareStatement(sql.toString())) {
			// Prepared on the server at once, not after the driver's fifth use: planning
			// a hundred subqueries costs ~4 ms, running the kept plan ~0.3 ms.
			ps.unwrap(PGStatement.class).setPrepareThreshold(1);
			try (ResultSet rs = ps.executeQuery()) {
				while (rs.next()) {
					found.add(rs.getInt(1));
				}
			}
		}
		return found;
	}

	private DataSource owner(StoreKey store) {
		return this.pools.owner(store.cluster(), store.database());
	}

	private static String where(String condition) {
		return (condition != null) ? " where " + condition : "";
	}

}
