package io.tierflow.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * An independent search for a tenant's id, as an erase's proof: every database of a
 * PostgreSQL server, through its catalog and as superuser — every uuid, text, varchar,
 * json and jsonb column of every table outside the system schemas, database and schema
 * names — and every file name under a directory. The id is looked for both as written
 * ({@code 0193...-...}) and as the hex that names schemas and databases.
 */
public final class TenantTraces {

	private TenantTraces() {
	}

	/**
	 * Where the tenant's id was found on the server, one
	 * {@code database.schema.table.column
	 * (n rows)} line per hit, plus database and schema names.
	 * @param databasePrefixes only databases whose name starts with one of these
	 */
	public static List<String> inDatabases(PostgresServer pg, UUID tenant, List<String> databasePrefixes) {
		String id = tenant.toString().toLowerCase(Locale.ROOT);
		String hex = id.replace("-", "");
		List<String> hits = new ArrayList<>();
		try {
			List<String> databases = new ArrayList<>();
			try (Connection con = pg.adminConnection("postgres");
					Statement st = con.createStatement();
					ResultSet rs = st.executeQuery("select datname from pg_database where datallowconn")) {
				while (rs.next()) {
					String db = rs.getString(1);
					if (db.contains(hex)) {
						hits.add("database " + db);
					}
					if (databasePrefixes.stream().anyMatch(db::startsWith)) {
						databases.add(db);
					}
				}
			}
			for (String db : databases) {
				scan(pg, db, id, hex, hits);
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Scanning for tenant " + tenant + " failed", ex);
		}
		return hits;
	}

	/** Files and directories under {@code root} whose name holds the tenant's id. */
	public static List<String> inFiles(Path root, UUID tenant) {
		if (!Files.isDirectory(root)) {
			return List.of();
		}
		String id = tenant.toString().toLowerCase(Locale.ROOT);
		String hex = id.replace("-", "");
		try (Stream<Path> files = Files.walk(root)) {
			return files.filter((p) -> {
				String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
				return name.contains(id) || name.contains(hex);
			}).map(Path::toString).toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void scan(PostgresServer pg, String db, String id, String hex, List<String> hits)
			throws SQLException {
		try (Connection con = pg.adminConnection(db)) {
			try (PreparedStatement ps = con
				.prepareStatement("select nspname from pg_namespace where nspname like '%' || ? || '%'")) {
				ps.setString(1, hex);
				try (ResultSet rs = ps.executeQuery()) {
					while (rs.next()) {
						hits.add(db + " schema " + rs.getString(1));
					}
				}
			}
			List<String[]> columns = new ArrayList<>();
			try (Statement st = con.createStatement(); ResultSet rs = st.executeQuery("""
					select n.nspname, c.relname, a.attname, a.atttypid = 'bytea'::regtype
					from pg_attribute a
					join pg_class c on c.oid = a.attrelid
					join pg_namespace n on n.oid = c.relnamespace
					where c.relkind in ('r', 'p', 'm') and a.attnum > 0 and not a.attisdropped
					  and a.atttypid in ('uuid'::regtype, 'text'::regtype, 'varchar'::regtype, 'json'::regtype,
					                     'jsonb'::regtype, 'bytea'::regtype)
					  and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'
					order by 1, 2, 3""")) {
				while (rs.next()) {
					columns.add(new String[] { rs.getString(1), rs.getString(2), rs.getString(3),
							String.valueOf(rs.getBoolean(4)) });
				}
			}
			for (String[] c : columns) {
				String column = quote(c[2]);
				boolean bytes = Boolean.parseBoolean(c[3]);
				String where = bytes
						? "position(convert_to(?, 'UTF8') in " + column + ") > 0 or position(convert_to(?, 'UTF8') in "
								+ column + ") > 0"
						: "lower(" + column + "::text) like ? or lower(" + column + "::text) like ?";
				String sql = "select count(*) from " + quote(c[0]) + "." + quote(c[1]) + " where " + where;
				try (PreparedStatement ps = con.prepareStatement(sql)) {
					ps.setString(1, bytes ? id : "%" + id + "%");
					ps.setString(2, bytes ? hex : "%" + hex + "%");
					try (ResultSet rs = ps.executeQuery()) {
						rs.next();
						if (rs.getLong(1) > 0) {
							hits.add(db + "." + c[0] + "." + c[1] + "." + c[2] + " (" + rs.getLong(1) + " rows)");
						}
					}
				}
			}
		}
	}

	private static String quote(String identifier) {
		return '"' + identifier.replace("\"", "\"\"") + '"';
	}

}
