package io.tierflow.tenancy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import io.tierflow.tenancy.TenancyProperties.Cluster;
import io.tierflow.tenancy.placement.ClusterRegistry;
import io.tierflow.tenancy.placement.ClusterRole;
import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.JdbcUrls;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.StoreKey;
import io.tierflow.tenancy.placement.StoreNames;
import io.tierflow.tenancy.routing.PlacementPools;
import org.flywaydb.core.Flyway;
import org.postgresql.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Readies the service's tenancy at start-up, before anything routes: migrates the control
 * database, makes sure the application role exists on every cluster, and records the
 * shared store of every shared cluster so the start-up migration pass brings it to the
 * latest version.
 */
public class TenancyBootstrap implements InitializingBean, ClusterRegistry.AppRoles {

	/**
	 * Location of Tierflow's own control-database migrations, contributed by the platform
	 * jars.
	 */
	public static final String CONTROL_LOCATION = "classpath:db/tierflow/control";

	/** Control schema in the service's control database. */
	public static final String CONTROL_SCHEMA = "tierflow";

	private static final Logger log = LoggerFactory.getLogger(TenancyBootstrap.class);

	private final TenancyProperties properties;

	private final DataSource control;

	private final PlacementPools pools;

	private final PlacementRepository placements;

	private final TransactionTemplate controlTx;

	public TenancyBootstrap(TenancyProperties properties, DataSource control, PlacementPools pools,
			PlacementRepository placements, TransactionTemplate controlTx) {
		this.properties = properties;
		this.control = control;
		this.pools = pools;
		this.placements = placements;
		this.controlTx = controlTx;
	}

	@Override
	public void afterPropertiesSet() throws SQLException {
		Flyway.configure(getClass().getClassLoader())
			.dataSource(this.control)
			.schemas(CONTROL_SCHEMA)
			.defaultSchema(CONTROL_SCHEMA)
			.createSchemas(true)
			.locations(CONTROL_LOCATION, "classpath:db/tierflow/tenant")
			// The platform's own outbox scripts (V0_x) sort below the control scripts
			// already applied: a new one is applied out of order.
			.outOfOrder(true)
			.load()
			.migrate();
		for (Cluster cluster : this.properties.clusters()) {
			ensureAppRole(cluster, this.pools.owner(cluster.name(), JdbcUrls.databaseOf(cluster.jdbcUrl())));
			if (cluster.role() == ClusterRole.SHARED) {
				StoreKey shared = new StoreKey(cluster.name(), JdbcUrls.databaseOf(cluster.jdbcUrl()),
						StoreNames.SHARED_SCHEMA);
				this.controlTx.executeWithoutResult((s) -> this.placements.ensureStore(shared, IsolationMode.ROW));
			}
		}
		log.info("Tenancy for service '{}' ready: {} clusters", this.properties.service(),
				this.properties.clusters().size());
	}

	/**
	 * Makes the application role on a cluster registered at run time, and refuses one
	 * whose existing role bypasses row-level security.
	 */
	@Override
	public void ensure(Cluster cluster) {
		try {
			// Not through the pools: the cluster is not one of theirs until registered.
			ensureAppRole(cluster, new SimpleDriverDataSource(new Driver(), cluster.jdbcUrl(), cluster.username(),
					cluster.password()));
		}
		catch (SQLException ex) {
			throw new IllegalStateException("could not make the application role: " + ex.getMessage(), ex);
		}
	}

	private void ensureAppRole(Cluster cluster, DataSource owner) throws SQLException {
		String role = this.properties.appRole().username();
		String password = this.properties.appRole().password().replace("'", "''");
		String sql = """
				DO $$ BEGIN
				  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%1$s') THEN
				    CREATE ROLE %1$s LOGIN PASSWORD '%2$s' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
				  END IF;
				END $$""".formatted(role, password);
		try (Connection con = owner.getConnection(); Statement st = con.createStatement()) {
			st.execute(sql);
		}
		catch (SQLException ex) {
			// Another instance created it between our check and our CREATE.
			if (!"42710".equals(ex.getSQLState()) && !"23505".equals(ex.getSQLState())) {
				throw ex;
			}
		}
		requireNoBypass(cluster, role, owner);
	}

	/**
	 * Refuses to serve through an application role that row-level security does not bind:
	 * one made elsewhere (by an operator, or an older setup) may have been given
	 * SUPERUSER or BYPASSRLS, and every tenant's rows would be visible to every request.
	 */
	private void requireNoBypass(Cluster cluster, String role, DataSource owner) throws SQLException {
		try (Connection con = owner.getConnection();
				java.sql.PreparedStatement ps = con
					.prepareStatement("select rolsuper, rolbypassrls from pg_roles where rolname = ?")) {
			ps.setString(1, role);
			try (java.sql.ResultSet rs = ps.executeQuery()) {
				if (!rs.next()) {
					throw new IllegalStateException("The application role " + role + " does not exist on cluster "
							+ cluster.name() + " after it was created");
				}
				if (rs.getBoolean(1) || rs.getBoolean(2)) {
					throw new IllegalStateException("The application role " + role + " on cluster " + cluster.name()
							+ " has " + (rs.getBoolean(1) ? "SUPERUSER" : "BYPASSRLS")
							+ ": row-level security would not hold for it. Run ALTER ROLE " + role
							+ " NOSUPERUSER NOBYPASSRLS, or name another role in tierflow.tenancy.app-role.username.");
				}
			}
		}
	}

}
