package io.tierflow.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Address and superuser credentials of a running PostgreSQL server, whichever way it was
 * obtained (an address from the environment, a Testcontainers container or a
 * {@link LocalPostgresCluster}). It knows how to build JDBC URLs for a database on that
 * server and offers the few administrative operations tests need: creating a database
 * (idempotently), dropping one even while sessions are still connected to it, and opening
 * a superuser connection.
 *
 * @param host the host name or IP address
 * @param port the TCP port
 * @param adminUser a superuser name
 * @param adminPassword the superuser's password
 */
public record PostgresServer(String host, int port, String adminUser, String adminPassword) {

	private static final String MAINTENANCE_DATABASE = "postgres";

	private static final String DUPLICATE_DATABASE = "42P04";

	private static final String UNIQUE_VIOLATION = "23505";

	/**
	 * Return the JDBC URL of a database on this server.
	 * @param database the database name
	 * @return the JDBC URL
	 */
	public String jdbcUrl(String database) {
		return "jdbc:postgresql://" + this.host + ":" + this.port + "/" + database;
	}

	/**
	 * Create a database unless it already exists.
	 * @param name the database name
	 */
	public void createDatabase(String name) {
		try (Connection connection = adminConnection(MAINTENANCE_DATABASE);
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE DATABASE " + quote(name));
		}
		catch (SQLException ex) {
			// A concurrent CREATE DATABASE of the same name fails on the catalog's
			// unique index rather than with duplicate_database.
			if (!DUPLICATE_DATABASE.equals(ex.getSQLState()) && !UNIQUE_VIOLATION.equals(ex.getSQLState())) {
				throw new IllegalStateException("Could not create database " + name + " on " + this, ex);
			}
		}
	}

	/**
	 * Drop a database if it exists, terminating the sessions still connected to it.
	 * @param name the database name
	 */
	public void dropDatabase(String name) {
		try (Connection connection = adminConnection(MAINTENANCE_DATABASE);
				Statement statement = connection.createStatement()) {
			statement.execute("DROP DATABASE IF EXISTS " + quote(name) + " WITH (FORCE)");
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not drop database " + name + " on " + this, ex);
		}
	}

	/**
	 * Open a new superuser connection to a database on this server. The caller closes it.
	 * @param database the database name
	 * @return a new connection
	 * @throws SQLException if the connection cannot be opened
	 */
	public Connection adminConnection(String database) throws SQLException {
		return DriverManager.getConnection(jdbcUrl(database), this.adminUser, this.adminPassword);
	}

	@Override
	public String toString() {
		return "PostgresServer[" + this.adminUser + "@" + this.host + ":" + this.port + "]";
	}

	private static String quote(String identifier) {
		return "\"" + identifier.replace("\"", "\"\"") + "\"";
	}

}
