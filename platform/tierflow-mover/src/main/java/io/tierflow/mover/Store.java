package io.tierflow.mover;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * One end of a move: a schema in a PostgreSQL database, reached with owner credentials
 * (the mover reads the WAL of the source and writes the target without row-level security
 * getting in the way).
 *
 * @param jdbcUrl {@code jdbc:postgresql://host:port/database}
 * @param username owner of the schema's tables
 * @param password its password
 * @param schema the schema holding the tenant's tables
 */
public record Store(String jdbcUrl, String username, String password, String schema) {

	public Connection connect() throws SQLException {
		return DriverManager.getConnection(this.jdbcUrl, this.username, this.password);
	}

	String host() {
		return uri().getHost();
	}

	int port() {
		int port = uri().getPort();
		return (port > 0) ? port : 5432;
	}

	String database() {
		String path = uri().getPath();
		return path.substring(1);
	}

	private URI uri() {
		String url = this.jdbcUrl.substring("jdbc:".length());
		int query = url.indexOf('?');
		return URI.create((query >= 0) ? url.substring(0, query) : url);
	}

	/** {@code schema.table}, quoted. */
	String qualified(String table) {
		return Sql.quote(this.schema) + "." + Sql.quote(table);
	}

}
