package io.tierflow.tenant.database;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tierflow.tenancy.admin.StoreUsage;
import io.tierflow.tenancy.admin.StoreUsage.TableRows;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * What a tenant holds in tenant-service's own database: its rows in every table with a
 * {@code tenant_id} column (users, notifications, audit records, exports, …) and their
 * size ({@code pg_column_size}). Each table's count stops at {@link StoreUsage#ROW_CAP}
 * rows, within a 10 s statement timeout.
 */
@Component
class OwnTenantData {

	/** Columns naming the user a row is about, in tenant-service's tables. */
	private static final List<String> USER_COLUMNS = List.of("user_id", "recipient", "requested_by", "created_by");

	private final JdbcClient jdbc;

	OwnTenantData(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** Rows and bytes of the tenant, per table. */
	@Transactional(readOnly = true)
	Counted usage(UUID tenant) {
		limitTime();
		List<TableRows> tables = new ArrayList<>();
		long bytes = 0;
		for (String table : tables().keySet()) {
			Object[] row = this.jdbc
				.sql("select count(*), coalesce(sum(pg_column_size(t.*)), 0) from (select * from " + quote(table)
						+ " where tenant_id = ? limit ?) t")
				.params(tenant, StoreUsage.ROW_CAP)
				.query((rs, n) -> new Object[] { rs.getLong(1), rs.getLong(2) })
				.single();
			long rows = (Long) row[0];
			tables.add(new TableRows(table, rows, rows >= StoreUsage.ROW_CAP));
			bytes += (Long) row[1];
		}
		return new Counted(tables, tables.stream().mapToLong(TableRows::rows).sum(), bytes);
	}

	/** Rows about one user of the tenant, in the tables that name a user. */
	@Transactional(readOnly = true)
	Counted userData(UUID tenant, String user) {
		limitTime();
		List<TableRows> tables = new ArrayList<>();
		tables().forEach((table, column) -> {
			if (column == null) {
				return;
			}
			long rows = this.jdbc
				.sql("select count(*) from (select 1 from " + quote(table) + " where tenant_id = ? and " + quote(column)
						+ "::text = ? limit ?) t")
				.params(tenant, user, StoreUsage.ROW_CAP)
				.query(Long.class)
				.single();
			tables.add(new TableRows(table, rows, rows >= StoreUsage.ROW_CAP));
		});
		return new Counted(tables, tables.stream().mapToLong(TableRows::rows).sum(), 0);
	}

	private void limitTime() {
		this.jdbc.sql("select set_config('statement_timeout', '10s', true)").query().singleValue();
	}

	/** Tables of the current schema with a tenant_id column, and their user column. */
	private Map<String, String> tables() {
		Map<String, String> tables = new LinkedHashMap<>();
		this.jdbc.sql("""
				select c.relname, a.attname from pg_class c
				join pg_namespace n on n.oid = c.relnamespace
				join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
				where n.nspname = current_schema() and c.relkind in ('r', 'p')
				  and exists (select 1 from pg_attribute t where t.attrelid = c.oid and t.attname = 'tenant_id'
				              and not t.attisdropped)
				order by c.relname, a.attnum""").query((rs) -> {
			String table = rs.getString(1);
			String column = rs.getString(2);
			tables.putIfAbsent(table, null);
			if (tables.get(table) == null && USER_COLUMNS.contains(column)) {
				tables.put(table, column);
			}
		});
		return tables;
	}

	private static String quote(String identifier) {
		return "\"" + identifier.replace("\"", "\"\"") + "\"";
	}

	record Counted(List<TableRows> tables, long rows, long bytes) {
	}

}
