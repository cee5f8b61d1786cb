package io.tierflow.tenancy.migration;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Flyway's connections, planning every statement with its values
 * ({@code plan_cache_mode = force_custom_plan}) while Flyway holds them, and back to the
 * default before they return to the pool.
 *
 * <p>
 * Flyway probes the catalog with prepared statements such as "does table
 * flyway_schema_history exist in schema $1" (13 a store). Their generic plan, which
 * PostgreSQL settles on after five runs, looks the table name up first, and every tenant
 * schema has that table: each probe scanned all of them, ~2 ms a probe at 1,000 schemas,
 * so provisioning slowed as tenants were added. Planned with the values, a probe is two
 * index lookups (~0.05 ms).
 */
final class CustomPlans extends DelegatingDataSource {

	CustomPlans(DataSource target) {
		super(target);
	}

	@Override
	public Connection getConnection() throws SQLException {
		Connection con = super.getConnection();
		try (Statement st = con.createStatement()) {
			st.execute("set plan_cache_mode = force_custom_plan");
		}
		catch (SQLException ex) {
			con.close();
			throw ex;
		}
		return (Connection) Proxy.newProxyInstance(CustomPlans.class.getClassLoader(),
				new Class<?>[] { Connection.class }, (proxy, method, args) -> {
					if (method.getName().equals("close") && !con.isClosed()) {
						try (Statement st = con.createStatement()) {
							st.execute("reset plan_cache_mode");
						}
						catch (SQLException ex) {
							// A broken connection: the pool discards it anyway.
						}
					}
					try {
						return method.invoke(con, args);
					}
					catch (InvocationTargetException ex) {
						throw ex.getCause();
					}
				});
	}

}
