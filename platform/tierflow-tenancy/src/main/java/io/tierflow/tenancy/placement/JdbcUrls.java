package io.tierflow.tenancy.placement;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads and rewrites the database part of a PostgreSQL JDBC URL. */
public final class JdbcUrls {

	private static final Pattern URL = Pattern.compile("(jdbc:postgresql://[^/]*/)([^?]*)(\\?.*)?");

	private JdbcUrls() {
	}

	public static String databaseOf(String jdbcUrl) {
		return matcher(jdbcUrl).group(2);
	}

	public static String withDatabase(String jdbcUrl, String database) {
		Matcher m = matcher(jdbcUrl);
		return m.group(1) + database + ((m.group(3) != null) ? m.group(3) : "");
	}

	private static Matcher matcher(String jdbcUrl) {
		Matcher m = URL.matcher(jdbcUrl);
		if (!m.matches() || m.group(2).isEmpty()) {
			throw new IllegalArgumentException("Not a PostgreSQL JDBC URL with a database: " + jdbcUrl);
		}
		return m;
	}

}
