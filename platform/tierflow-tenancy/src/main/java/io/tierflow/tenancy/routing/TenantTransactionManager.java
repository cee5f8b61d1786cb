package io.tierflow.tenancy.routing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.IsolationMode;

import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.TransactionDefinition;

/**
 * Begins every tenant transaction on the current tenant's placement and sets,
 * transaction-local, the tenant id that row-level security checks and the search_path of
 * the tenant's schema. Both settings vanish at commit or rollback, before the connection
 * returns to its pool. Connections to a tenant's own database are the exception: they
 * only ever serve that tenant and carry its settings for their whole life.
 */
public class TenantTransactionManager extends JdbcTransactionManager {

	private static final String SETTINGS = "select set_config('tierflow.tenant_id', ?, true), set_config('search_path', ?, true)";

	private final PlacementDirectory directory;

	public TenantTransactionManager(TenantDataSource dataSource, PlacementDirectory directory) {
		super(dataSource);
		this.directory = directory;
	}

	@Override
	protected void doBegin(Object transaction, TransactionDefinition definition) {
		TenantDataSource.BEGINNING.set(this.directory.route(TenantContext.require()));
		try {
			super.doBegin(transaction, definition);
		}
		finally {
			TenantDataSource.BEGINNING.remove();
		}
	}

	@Override
	protected void prepareTransactionalConnection(Connection con, TransactionDefinition definition)
			throws SQLException {
		super.prepareTransactionalConnection(con, definition);
		TenantRoute route = TenantDataSource.BEGINNING.get();
		if (route.placement().isolation() == IsolationMode.DATABASE) {
			// The tenant's own database: its pool's connections carry the tenant's
			// settings from birth (PlacementPools), one round trip saved per transaction.
			return;
		}
		try (PreparedStatement settings = con.prepareStatement(SETTINGS)) {
			settings.setString(1, route.placement().tenantId().toString());
			settings.setString(2, route.schema());
			settings.execute();
		}
	}

}
