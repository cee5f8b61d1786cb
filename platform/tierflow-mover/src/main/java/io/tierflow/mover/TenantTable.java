package io.tierflow.mover;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A table holding tenant rows: every table of the store's schema with a {@code tenant_id}
 * column, except the outbox (its events are relayed from where they were written, never
 * moved) and Flyway's history.
 *
 * @param name table name
 * @param columns column name to its SQL type, in table order
 * @param primaryKey primary key columns (they include {@code tenant_id})
 */
record TenantTable(String name, Map<String, String> columns, List<String> primaryKey) {

	static final Set<String> NOT_MOVED = Set.of("outbox", "flyway_schema_history");

	static List<TenantTable> of(Connection con, String schema) throws SQLException {
		List<String> names = new ArrayList<>();
		try (PreparedStatement ps = con.prepareStatement("""
				select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
				where n.nspname = ? and c.relkind in ('r', 'p')
				  and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id'
				              and not a.attisdropped)
				order by c.relname""")) {
			ps.setString(1, schema);
			try (ResultSet rs = ps.executeQuery()) {
				while (rs.next()) {
					if (!NOT_MOVED.contains(rs.getString(1))) {
						names.add(rs.getString(1));
					}
				}
			}
		}
		List<TenantTable> tables = new ArrayList<>();
		for (String name : names) {
			tables.add(describe(con, schema, name));
		}
		return tables;
	}

	private static TenantTable describe(Connection con, String schema, String name) throws SQLException {
		Map<String, String> columns = new LinkedHashMap<>();
		String oid = Sql.quote(schema) + "." + Sql.quote(name);
		try (PreparedStatement ps = con.prepareStatement("""
				select a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute a
				where a.attrelid = ?::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum""")) {
			ps.setString(1, oid);
			try (ResultSet rs = ps.executeQuery()) {
				while (rs.next()) {
					columns.put(rs.getString(1), rs.getString(2));
				}
			}
		}
		List<String> key = new ArrayList<>();
		try (PreparedStatement ps = con.prepareStatement("""
				select a.attname from pg_index i
				join lateral unnest(i.indkey) with ordinality as k(attnum, n) on true
				join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
				where i.indrelid = ?::regclass and i.indisprimary order by k.n""")) {
			ps.setString(1, oid);
			try (ResultSet rs = ps.executeQuery()) {
				while (rs.next()) {
					key.add(rs.getString(1));
				}
			}
		}
		if (!key.contains("tenant_id")) {
			throw new IllegalStateException("Table " + oid + " has tenant rows but tenant_id is not in its primary key "
					+ key + ": its rows cannot be moved by tenant");
		}
		return new TenantTable(name, columns, List.copyOf(key));
	}

}
