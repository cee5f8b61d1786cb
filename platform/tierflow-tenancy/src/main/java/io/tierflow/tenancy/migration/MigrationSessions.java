package io.tierflow.tenancy.migration;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The connections a store's migration runs on, with two session settings while the
 * migration holds them, both reset before they return to the pool.
 *
 * <p>
 * <b>A lock timeout.</b> A script's DDL waits for the locks of the store's running
 * transactions ({@code ALTER TABLE} needs the table to itself), and every statement of
 * the store's users then queues behind the waiting DDL. With {@code lock_timeout} the
 * migration gives up instead: the store stays at its version, and the pass retries it
 * after the others ({@link PlacementMigrator#migrateAll}). One busy tenant never stalls
 * the fleet's pass nor its own users for long.
 *
 * <p>
 * <b>Custom plans.</b> Flyway probes the catalog with prepared statements such as "does
 * table flyway_schema_history exist in schema $1" (13 a store). Their generic plan, which
 * PostgreSQL settles on after five runs, looks the table name up first, and every tenant
 * schema has that table: each probe scanned all of them, ~2 ms a probe at 1,000 schemas,
 * so provisioning slowed as tenants were added. Planned with the values
 * ({@code plan_cache_mode = force_custom_plan}), a probe is two index lookups (~0.05 ms).
 */
final class MigrationSessions extends DelegatingDataSource {

	private final String setup;

	MigrationSessions(DataSource target, Duration lockTimeout) {
		super(target);
		this.setup = "set plan_cache_mode = force_custom_plan; set lock_timeout = " + lockTimeout.toMillis();
	}

	@Override
	public Connection getConnection() throws SQLException {
		Connection con = super.getConnection();
		try (Statement st = con.createStatement()) {
			st.execute(this.setup);
		}
		catch (SQLException ex) {
			con.close();
			throw ex;
		}
		return (Connection) Proxy.newProxyInstance(MigrationSessions.class.getClassLoader(),
				new Class<?>[] { Connection.class }, (proxy, method, args) -> {
					if (method.getName().equals("close") && !con.isClosed()) {
						reset(con);
					}
					try {
						return method.invoke(con, args);
					}
					catch (InvocationTargetException ex) {
						throw ex.getCause();
					}
				});
	}

	private static void reset(Connection con) {
		try {
			if (!con.getAutoCommit()) {
				// A transaction left open (or failed) would refuse the reset.
				con.rollback();
			}
			try (Statement st = con.createStatement()) {
				st.execute("reset plan_cache_mode; reset lock_timeout");
			}
		}
		catch (SQLException ex) {
			// A broken connection: the pool discards it.
		}
	}

}
