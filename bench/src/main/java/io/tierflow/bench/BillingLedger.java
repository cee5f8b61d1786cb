package io.tierflow.bench;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tierflow.testsupport.PostgresServer;

/**
 * billing-service's usage ledger as PostgreSQL holds it, read from outside the service:
 * every table named {@code usage_record} in every billing database (the control database,
 * the shared, dedicated and enterprise clusters, and the enterprise tenants' own
 * databases), found in the catalog and read as the superuser, to whom row-level security
 * does not apply. Only the benchmark's tenants' rows are read.
 */
final class BillingLedger implements AutoCloseable {

	/**
	 * How one event id shows in the ledger: its rows, and when the first was recorded.
	 */
	record Metered(int rows, long recordedMicros, UUID tenant) {

		Metered and(Metered other) {
			return new Metered(this.rows + other.rows, Math.min(this.recordedMicros, other.recordedMicros),
					this.tenant);
		}

	}

	private final Map<String, Connection> connections = new LinkedHashMap<>();

	private final Map<String, List<String>> tables = new LinkedHashMap<>();

	private final List<UUID> tenants;

	private BillingLedger(List<UUID> tenants) {
		this.tenants = tenants;
	}

	/** Finds the ledger tables; call once every tenant is placed. */
	static BillingLedger open(PostgresServer pg, Collection<UUID> tenants) throws SQLException {
		BillingLedger ledger = new BillingLedger(List.copyOf(tenants));
		try {
			List<String> databases = new ArrayList<>();
			try (Connection con = pg.adminConnection("postgres");
					Statement st = con.createStatement();
					ResultSet rs = st.executeQuery("select datname from pg_database where datname like 'billing%'"
							+ " and datallowconn order by datname")) {
				while (rs.next()) {
					databases.add(rs.getString(1));
				}
			}
			for (String database : databases) {
				Connection con = pg.adminConnection(database);
				ledger.connections.put(database, con);
				List<String> found = new ArrayList<>();
				try (Statement st = con.createStatement();
						ResultSet rs = st.executeQuery("select n.nspname from pg_class c join pg_namespace n"
								+ " on n.oid = c.relnamespace where c.relname = 'usage_record'"
								+ " and c.relkind in ('r', 'p') order by 1")) {
					while (rs.next()) {
						found.add("\"" + rs.getString(1).replace("\"", "\"\"") + "\".usage_record");
					}
				}
				if (!found.isEmpty()) {
					ledger.tables.put(database, found);
				}
			}
			return ledger;
		}
		catch (SQLException | RuntimeException ex) {
			ledger.close();
			throw ex;
		}
	}

	String describe() {
		int count = this.tables.values().stream().mapToInt(List::size).sum();
		return count + " usage_record tables in " + this.tables.size() + " databases " + this.tables.keySet();
	}

	/** Ledger rows of the benchmark's tenants. */
	long rows() throws SQLException {
		long rows = 0;
		for (Map.Entry<String, List<String>> database : this.tables.entrySet()) {
			Connection con = this.connections.get(database.getKey());
			for (String table : database.getValue()) {
				try (PreparedStatement ps = con
					.prepareStatement("select count(*) from " + table + " where tenant_id = any(?)")) {
					ps.setArray(1, tenantArray(con));
					try (ResultSet rs = ps.executeQuery()) {
						rs.next();
						rows += rs.getLong(1);
					}
				}
			}
		}
		return rows;
	}

	/** Every event id of the benchmark's tenants in the ledger. */
	Map<String, Metered> read() throws SQLException {
		Map<String, Metered> metered = new HashMap<>();
		for (Map.Entry<String, List<String>> database : this.tables.entrySet()) {
			Connection con = this.connections.get(database.getKey());
			con.setAutoCommit(false); // so that the driver streams the rows
			try {
				for (String table : database.getValue()) {
					try (PreparedStatement ps = con.prepareStatement(
							"select event_id, recorded_at, tenant_id from " + table + " where tenant_id = any(?)")) {
						ps.setArray(1, tenantArray(con));
						ps.setFetchSize(10_000);
						try (ResultSet rs = ps.executeQuery()) {
							while (rs.next()) {
								long micros = SentEvents.micros(rs.getObject(2, OffsetDateTime.class).toInstant());
								metered.merge(rs.getString(1), new Metered(1, micros, rs.getObject(3, UUID.class)),
										Metered::and);
							}
						}
					}
				}
			}
			finally {
				con.commit();
				con.setAutoCommit(true);
			}
		}
		return metered;
	}

	private Array tenantArray(Connection con) throws SQLException {
		return con.createArrayOf("uuid", this.tenants.toArray());
	}

	@Override
	public void close() {
		for (Connection con : this.connections.values()) {
			try {
				con.close();
			}
			catch (SQLException ex) {
				// closing anyway
			}
		}
	}

}
