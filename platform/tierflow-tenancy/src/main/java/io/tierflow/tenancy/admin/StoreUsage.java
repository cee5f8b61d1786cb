package io.tierflow.tenancy.admin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.routing.PlacementPools;
import io.tierflow.tenancy.web.NotFoundException;
import io.tierflow.tenancy.web.TenantRequests;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What one tenant holds in this service's stores, wherever it is placed: rows per tenant
 * table, bytes, and the API requests it made of this instance. Rows are counted by
 * {@code tenant_id} in every isolation mode (on a shared database, the tenant's rows
 * only). Bytes are the tenant database's size ({@code pg_database_size}), the tenant
 * schema's relations with their indexes and TOAST ({@code pg_total_relation_size}), or on
 * a shared database the size of the tenant's rows ({@code pg_column_size}, without index
 * space, which shared indexes do not split by tenant).
 *
 * <p>
 * Cost is bounded: the store is read on its owner pool, in one read-only transaction with
 * a {@value #STATEMENT_TIMEOUT_MS} ms statement timeout, and each table's count stops at
 * {@value #ROW_CAP} rows ({@code capped} says so).
 */
public class StoreUsage {

	/** Rows counted per table at most. */
	public static final int ROW_CAP = 1_000_000;

	static final int STATEMENT_TIMEOUT_MS = 10_000;

	/** Tables whose rows are the platform's, not the tenant's data. */
	private static final Set<String> NOT_COUNTED = Set.of("flyway_schema_history");

	/** Columns that name the user who made a row, in the services' tables. */
	static final List<String> USER_COLUMNS = List.of("uploaded_by", "requested_by", "created_by", "started_by",
			"user_id");

	private final String service;

	private final PlacementPools pools;

	private final PlacementRepository placements;

	private final TransactionTemplate controlTx;

	private final @Nullable TenantRequests requests;

	public StoreUsage(String service, PlacementPools pools, PlacementRepository placements,
			TransactionTemplate controlTx, @Nullable TenantRequests requests) {
		this.service = service;
		this.pools = pools;
		this.placements = placements;
		this.controlTx = controlTx;
		this.requests = requests;
	}

	/**
	 * The tenant's usage of this service.
	 * @throws NotFoundException if the tenant has no placement here
	 */
	public TenantUsage usage(UUID tenant) {
		TenantPlacement placement = placement(tenant);
		return read(placement, (con, tables) -> {
			List<TableRows> counted = new ArrayList<>();
			long rowBytes = 0;
			for (Table table : tables) {
				try (PreparedStatement ps = con
					.prepareStatement("select count(*), coalesce(sum(pg_column_size(t.*)), 0)" + " from (select * from "
							+ table.qualified() + " where tenant_id = ? limit ?) t")) {
					ps.setObject(1, tenant);
					ps.setInt(2, ROW_CAP);
					try (ResultSet rs = ps.executeQuery()) {
						rs.next();
						counted.add(new TableRows(table.name(), rs.getLong(1), rs.getLong(1) >= ROW_CAP));
						rowBytes += rs.getLong(2);
					}
				}
			}
			String measure;
			long bytes;
			switch (placement.isolation()) {
				case DATABASE -> {
					measure = "database";
					bytes = single(con, "select pg_database_size(current_database())", null);
				}
				case SCHEMA -> {
					measure = "schema";
					bytes = single(con, """
							select coalesce(sum(pg_total_relation_size(c.oid)), 0) from pg_class c
							join pg_namespace n on n.oid = c.relnamespace
							where n.nspname = ? and c.relkind in ('r', 'p', 'm')""", placement.schema());
				}
				default -> {
					measure = "rows";
					bytes = rowBytes;
				}
			}
			long rows = counted.stream().mapToLong(TableRows::rows).sum();
			long requests = (this.requests != null) ? this.requests.count(tenant) : 0;
			return new TenantUsage(this.service, tenant, Placed.of(placement), counted, rows, bytes, measure,
					new Requests(requests, (this.requests != null) ? this.requests.since() : null), Instant.now());
		});
	}

	/**
	 * The rows of one user of the tenant here: in each tenant table with a column naming
	 * the user who made the row ({@link #USER_COLUMNS}).
	 * @throws NotFoundException if the tenant has no placement here
	 */
	public UserData userData(UUID tenant, String user) {
		TenantPlacement placement = placement(tenant);
		return read(placement, (con, tables) -> {
			List<TableRows> counted = new ArrayList<>();
			for (Table table : tables) {
				String column = table.userColumn();
				if (column == null) {
					continue;
				}
				try (PreparedStatement ps = con.prepareStatement("select count(*) from (select 1 from "
						+ table.qualified() + " where tenant_id = ? and " + column + "::text = ? limit ?) t")) {
					ps.setObject(1, tenant);
					ps.setString(2, user);
					ps.setInt(3, ROW_CAP);
					try (ResultSet rs = ps.executeQuery()) {
						rs.next();
						counted.add(new TableRows(table.name(), rs.getLong(1), rs.getLong(1) >= ROW_CAP));
					}
				}
			}
			return new UserData(this.service, tenant, user, counted, counted.stream().mapToLong(TableRows::rows).sum());
		});
	}

	/**
	 * Where the tenant is placed here.
	 * @throws NotFoundException if nowhere
	 */
	public TenantPlacement placement(UUID tenant) {
		return this.controlTx.execute((s) -> this.placements.find(tenant))
			.orElseThrow(() -> new NotFoundException("No tenant " + tenant + " in " + this.service));
	}

	private <T> T read(TenantPlacement placement, StoreReader<T> reader) {
		try (Connection con = this.pools.owner(placement.cluster(), placement.database()).getConnection()) {
			boolean autoCommit = con.getAutoCommit();
			con.setAutoCommit(false);
			try {
				try (PreparedStatement ps = con.prepareStatement("set local transaction read only")) {
					ps.execute();
				}
				try (PreparedStatement ps = con
					.prepareStatement("set local statement_timeout = " + STATEMENT_TIMEOUT_MS)) {
					ps.execute();
				}
				// The owner is not held by row-level security; the tenant's setting makes
				// a policy that were forced on it see this tenant's rows as well.
				try (PreparedStatement ps = con.prepareStatement("select set_config('tierflow.tenant_id', ?, true)")) {
					ps.setString(1, placement.tenantId().toString());
					ps.executeQuery().close();
				}
				return reader.read(con, tables(con, placement));
			}
			finally {
				con.rollback();
				con.setAutoCommit(autoCommit);
			}
		}
		catch (SQLException ex) {
			throw new UncategorizedSQLException("Reading the usage of " + placement.tenantId(), null, ex);
		}
	}

	/** The store's tenant tables, with the column naming a row's user if any. */
	private static List<Table> tables(Connection con, TenantPlacement placement) throws SQLException {
		Map<String, Table> tables = new LinkedHashMap<>();
		try (PreparedStatement ps = con.prepareStatement("""
				select c.relname, a.attname from pg_class c
				join pg_namespace n on n.oid = c.relnamespace
				join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
				where n.nspname = ? and c.relkind in ('r', 'p')
				  and exists (select 1 from pg_attribute t where t.attrelid = c.oid and t.attname = 'tenant_id'
				              and not t.attisdropped)
				order by c.relname, a.attnum""")) {
			ps.setString(1, placement.schema());
			try (ResultSet rs = ps.executeQuery()) {
				while (rs.next()) {
					String name = rs.getString(1);
					if (NOT_COUNTED.contains(name)) {
						continue;
					}
					Table table = tables.computeIfAbsent(name, (n) -> new Table(placement.schema(), n, null));
					String column = rs.getString(2);
					if (table.userColumn() == null && USER_COLUMNS.contains(column)) {
						tables.put(name, new Table(placement.schema(), name, column));
					}
				}
			}
		}
		return new ArrayList<>(tables.values());
	}

	private static long single(Connection con, String sql, @Nullable String parameter) throws SQLException {
		try (PreparedStatement ps = con.prepareStatement(sql)) {
			if (parameter != null) {
				ps.setString(1, parameter);
			}
			try (ResultSet rs = ps.executeQuery()) {
				rs.next();
				return rs.getLong(1);
			}
		}
	}

	private interface StoreReader<T> {

		T read(Connection con, List<Table> tables) throws SQLException;

	}

	private record Table(String schema, String name, @Nullable String userColumn) {

		/** The quoted schema and table; both come from the catalog. */
		String qualified() {
			return quote(this.schema) + "." + quote(this.name);
		}

		private static String quote(String identifier) {
			return "\"" + identifier.replace("\"", "\"\"") + "\"";
		}

	}

	/**
	 * A tenant's usage of one service.
	 *
	 * @param bytesMeasure what {@code bytes} measures: {@code database}, {@code schema}
	 * or {@code rows}
	 */
	public record TenantUsage(String service, UUID tenantId, Placed placement, List<TableRows> tables, long rows,
			long bytes, String bytesMeasure, Requests requests, Instant measuredAt) {
	}

	/**
	 * Rows of a table.
	 *
	 * @param capped whether the count stopped at {@link #ROW_CAP}
	 */
	public record TableRows(String table, long rows, boolean capped) {
	}

	/**
	 * Requests counted by this instance of the service.
	 *
	 * @param since when this instance started counting
	 */
	public record Requests(long count, @Nullable Instant since) {
	}

	/** A user's rows in one service. */
	public record UserData(String service, UUID tenantId, String userId, List<TableRows> tables, long rows) {
	}

	/** Where a tenant is placed, without its store's names. */
	public record Placed(String tier, IsolationMode isolation, String cluster, String region, String state,
			boolean suspended, long epoch) {

		static Placed of(TenantPlacement p) {
			return new Placed(p.tier().name(), p.isolation(), p.cluster(), p.region(), p.state().name(), p.suspended(),
					p.epoch());
		}

	}

}
