package io.tierflow.mover;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
		Map<String, TableChecksum> sums = new LinkedHashMap<>();
		try (Connection con = store.connect()) {
			con.setAutoCommit(false);
			// One snapshot for all tables.
			try (var st = con.createStatement()) {
				st.execute("set transaction isolation level repeatable read, read only");
			}
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
			con.commit();
		}
		return sums;
	}

}
