package io.tierflow.mover;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Row count and an order-independent checksum of one tenant's rows in a table: the sum,
 * as an exact numeric, of the first 64 bits of each row's MD5. Two stores with the same
 * migrations render a row alike, so equal sums mean equal row sets (up to a collision of
 * the sum, which no real change produces by chance).
 *
 * @param rows number of the tenant's rows
 * @param checksum the sum
 */
public record TableChecksum(long rows, BigDecimal checksum) {

	/** Checksums of every table of {@code tables} in {@code store}, by table name. */
	static Map<String, TableChecksum> of(Store store, List<TenantTable> tables, UUID tenant) throws SQLException {
		try (Connection con = store.connect()) {
			pin(con);
			Map<String, TableChecksum> sums = of(con, store, tables, tenant);
			con.commit();
			return sums;
		}
	}

	/**
	 * Starts a read-only REPEATABLE READ transaction on {@code con} and takes its
	 * snapshot now: later checksums on it see the store as it is at this moment.
	 */
	static void pin(Connection con) throws SQLException {
		con.setAutoCommit(false);
		try (Statement st = con.createStatement()) {
			st.execute("set transaction isolation level repeatable read, read only");
			st.execute("select 1");
		}
	}

	/** Checksums in the transaction (and snapshot) of {@code con}. */
	static Map<String, TableChecksum> of(Connection con, Store store, List<TenantTable> tables, UUID tenant)
			throws SQLException {
		Map<String, TableChecksum> sums = new LinkedHashMap<>();
		for (TenantTable table : tables) {
			String sql = "select count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 16))::bit(64)::bigint::numeric), 0)"
					+ " from " + store.qualified(table.name()) + " t where tenant_id = ?";
			try (PreparedStatement ps = con.prepareStatement(sql)) {
				ps.setObject(1, tenant);
				try (ResultSet rs = ps.executeQuery()) {
					rs.next();
					sums.put(table.name(), new TableChecksum(rs.getLong(1), rs.getBigDecimal(2)));
				}
			}
		}
		return sums;
	}

}
