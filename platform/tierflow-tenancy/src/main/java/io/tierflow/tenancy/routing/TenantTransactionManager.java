package io.tierflow.tenancy.routing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.UUID;

import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.TenantFence;
import io.tierflow.tenancy.placement.TenantMovedException;
import io.tierflow.tenancy.placement.TenantPlacement;

import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.TransactionDefinition;

/**
 * Begins every tenant transaction on the current tenant's placement and sets,
 * transaction-local, the tenant id that row-level security checks and the search_path of
 * the tenant's schema. Both settings vanish at commit or rollback, before the connection
 * returns to its pool. A read-only transaction sends them with its first query
 * ({@link TenantConnection}), so they cost it no round trip of its own. Connections to a
 * tenant's own database are the exception: they only ever serve that tenant and carry its
 * settings for their whole life. Write transactions also enter the tier-move fence in the
 * same statement, and begin again on the new placement when the tenant has moved.
 */
public class TenantTransactionManager extends JdbcTransactionManager {

	private static final String SETTINGS_AND_FENCE = "select set_config('tierflow.tenant_id', ?, true),"
			+ " set_config('search_path', ?, true), tierflow_fence.enter_write(?::uuid, ?)";

	private static final String FENCE = "select tierflow_fence.enter_write(?::uuid, ?)";

	private static final String TAKE_BACK = "select tierflow_fence.take_back(?::uuid, ?, ?, ?::interval)";

	/** Routings tried when the tenant moves away under a transaction's feet. */
	private static final int ATTEMPTS = 5;

	private final PlacementDirectory directory;

	public TenantTransactionManager(TenantDataSource dataSource, PlacementDirectory directory) {
		super(dataSource);
		this.directory = directory;
	}

	@Override
	protected void doBegin(Object transaction, TransactionDefinition definition) {
		UUID tenant = TenantContext.require();
		for (int attempt = 1;; attempt++) {
			TenantRoute route = this.directory.route(tenant);
			TenantDataSource.BEGINNING.set(new TenantDataSource.Beginning(route, definition.isReadOnly()));
			try {
				super.doBegin(transaction, definition);
				return;
			}
			catch (CannotCreateTransactionException ex) {
				if (!(ex.getCause() instanceof TenantMovedException moved)) {
					throw ex;
				}
				// Nothing ran yet: begin again on the placement the tenant moved to. The
				// mover switches the placement before it lifts the fence, so a fresh
				// route is normally the new one at once.
				this.directory.evictEpoch(tenant, moved.epoch());
				if (this.directory.route(tenant).placement().epoch() == moved.epoch()) {
					// Not switched, yet nobody held the fence against us: a mover died
					// before switching. Its mark goes once older than the lease; the
					// source stays authoritative, as for any abandoned move.
					takeBack(route, moved);
				}
				if (attempt == ATTEMPTS) {
					throw moved;
				}
				if (attempt > 1) {
					pause(attempt);
				}
			}
			finally {
				TenantDataSource.BEGINNING.remove();
			}
		}
	}

	@Override
	protected void prepareTransactionalConnection(Connection con, TransactionDefinition definition)
			throws SQLException {
		super.prepareTransactionalConnection(con, definition);
		TenantRoute route = TenantDataSource.BEGINNING.get().route();
		TenantPlacement placement = route.placement();
		// Writers enter the tier-move fence (TenantFence); readers see a consistent store
		// either way. The fence check needs a snapshot newer than the lock it waited for,
		// which only READ COMMITTED gives.
		boolean write = !definition.isReadOnly();
		if (write && definition.getIsolationLevel() != TransactionDefinition.ISOLATION_DEFAULT
				&& definition.getIsolationLevel() != TransactionDefinition.ISOLATION_READ_COMMITTED) {
			throw new IllegalTransactionStateException(
					"Tenant write transactions run at READ COMMITTED (the tier-move fence relies on it)");
		}
		boolean ownDatabase = placement.isolation() == IsolationMode.DATABASE;
		if (ownDatabase && !write) {
			// The tenant's own database: its pool's connections carry the tenant's
			// settings from birth (PlacementPools), one round trip saved per transaction.
			return;
		}
		if (!write && TenantConnection.defer(con)) {
			// Sent with the transaction's first query, in the same round trip.
			return;
		}
		String sql = ownDatabase ? FENCE : (write ? SETTINGS_AND_FENCE : TenantConnection.SETTINGS);
		try (PreparedStatement ps = con.prepareStatement(sql)) {
			int i = 1;
			if (!ownDatabase) {
				ps.setString(i++, placement.tenantId().toString());
				ps.setString(i++, route.schema());
			}
			if (write) {
				ps.setString(i++, placement.tenantId().toString());
				ps.setLong(i, placement.epoch());
			}
			try (ResultSet rs = ps.executeQuery()) {
				rs.next();
				OffsetDateTime marked = write ? rs.getObject(rs.getMetaData().getColumnCount(), OffsetDateTime.class)
						: null;
				if (marked != null) {
					throw new TenantMovedException(placement.tenantId(),
							placement.cluster() + "/" + placement.database() + "/" + placement.schema(),
							placement.epoch(), marked);
				}
			}
		}
	}

	private void takeBack(TenantRoute route, TenantMovedException moved) {
		TenantDataSource.BEGINNING.set(new TenantDataSource.Beginning(route, false));
		try (Connection con = obtainDataSource().getConnection();
				PreparedStatement ps = con.prepareStatement(TAKE_BACK)) {
			ps.setString(1, route.placement().tenantId().toString());
			ps.setLong(2, moved.epoch());
			ps.setObject(3, moved.markedAt());
			ps.setString(4, TenantFence.LEASE.toMillis() + " milliseconds");
			try (ResultSet rs = ps.executeQuery()) {
				if (rs.next() && rs.getBoolean(1)) {
					logger.warn("Took back the fence mark of tenant " + route.placement().tenantId() + " on "
							+ route.placement().store() + ": its mover died before switching");
				}
			}
		}
		catch (SQLException ex) {
			logger.warn("Could not take back an orphaned fence mark of tenant " + route.placement().tenantId(), ex);
		}
	}

	private static void pause(int attempt) {
		try {
			Thread.sleep(20L * attempt);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while routing a moved tenant", ex);
		}
	}

}
