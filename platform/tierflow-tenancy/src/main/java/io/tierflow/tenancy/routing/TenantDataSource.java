package io.tierflow.tenancy.routing;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.tierflow.tenancy.placement.IsolationMode;

import org.springframework.jdbc.datasource.AbstractDataSource;

/**
 * The DataSource repository code uses for tenant data. It lends a connection from the
 * current tenant's placement, and only to a {@link TenantTransactionManager} beginning a
 * transaction: the tenant settings are transaction-local, so tenant data outside a
 * transaction is refused rather than served without them.
 */
public class TenantDataSource extends AbstractDataSource {

	static final ThreadLocal<Beginning> BEGINNING = new ThreadLocal<>();

	private final PlacementPools pools;

	private final StatementTimers timers;

	public TenantDataSource(PlacementPools pools) {
		this(pools, null);
	}

	/**
	 * @param timers times the statements run on the connections lent, or null for none
	 */
	public TenantDataSource(PlacementPools pools, StatementTimers timers) {
		this.pools = pools;
		this.timers = timers;
	}

	@Override
	public Connection getConnection() throws SQLException {
		Beginning beginning = BEGINNING.get();
		if (beginning == null) {
			throw new IllegalStateException(
					"Tenant data is only reachable inside a transaction (@Transactional or TransactionTemplate)");
		}
		Connection con = borrow(beginning.route());
		if (this.timers != null) {
			// Innermost, so that the settings TenantConnection sends with a query are
			// timed with it, and its own statements are told apart by their text.
			con = this.timers.time(con, beginning.route().placement().cluster());
		}
		IsolationMode isolation = beginning.route().placement().isolation();
		if (isolation == IsolationMode.SCHEMA || (beginning.readOnly() && isolation == IsolationMode.ROW)) {
			// Reads on a shared database send their settings with their first query; a
			// schema's statements keep their own plans.
			return TenantConnection.wrap(con, beginning.route().placement().tenantId().toString(),
					beginning.route().schema(), isolation == IsolationMode.SCHEMA);
		}
		return con;
	}

	private Connection borrow(TenantRoute route) throws SQLException {
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

	/** The transaction {@link TenantTransactionManager} is beginning on this thread. */
	record Beginning(TenantRoute route, boolean readOnly) {
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		throw new SQLException("TenantDataSource decides the credentials itself");
	}

}
