package io.tierflow.tenancy.routing;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

import org.springframework.jdbc.datasource.AbstractDataSource;

/**
 * The DataSource repository code uses for tenant data. It lends a connection from the
 * current tenant's placement, and only to a {@link TenantTransactionManager} beginning a
 * transaction: the tenant settings are transaction-local, so tenant data outside a
 * transaction is refused rather than served without them.
 */
public class TenantDataSource extends AbstractDataSource {

	static final ThreadLocal<TenantRoute> BEGINNING = new ThreadLocal<>();

	private final PlacementPools pools;

	public TenantDataSource(PlacementPools pools) {
		this.pools = pools;
	}

	@Override
	public Connection getConnection() throws SQLException {
		TenantRoute route = BEGINNING.get();
		if (route == null) {
			throw new IllegalStateException(
					"Tenant data is only reachable inside a transaction (@Transactional or TransactionTemplate)");
		}
		String cluster = route.placement().cluster();
		String database = route.placement().database();
		DataSource pool = this.pools.app(cluster, database);
		try {
			return pool.getConnection();
		}
		catch (SQLException ex) {
			// The LRU closed this tenant database's pool between lookup and borrow: take
			// the new one.
			if (pool instanceof HikariDataSource hikari && hikari.isClosed()) {
				return this.pools.app(cluster, database).getConnection();
			}
			throw ex;
		}
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		throw new SQLException("TenantDataSource decides the credentials itself");
	}

}
