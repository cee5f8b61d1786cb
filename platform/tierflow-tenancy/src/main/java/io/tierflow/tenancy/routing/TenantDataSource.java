package io.tierflow.tenancy.routing;

import java.sql.Connection;
import java.sql.SQLException;

import org.springframework.jdbc.datasource.AbstractDataSource;

/**
 * The DataSource repository code uses for tenant data. It lends a connection from the
 * current tenant's placement, and only to a {@link TenantTransactionManager} beginning a
 * transaction: the tenant settings are transaction-local, so tenant data outside a
 * transaction is refused rather than served without them.
 */
public class TenantDataSource extends AbstractDataSource {

	static final ThreadLocal<TenantRoute> BEGINNING = new ThreadLocal<>();

	@Override
	public Connection getConnection() throws SQLException {
		TenantRoute route = BEGINNING.get();
		if (route == null) {
			throw new IllegalStateException(
					"Tenant data is only reachable inside a transaction (@Transactional or TransactionTemplate)");
		}
		return route.dataSource().getConnection();
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		throw new SQLException("TenantDataSource decides the credentials itself");
	}

}
