package io.tierflow.tenancy.placement;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Pattern;

import io.tierflow.tenancy.TenancyProperties;
import io.tierflow.tenancy.TenancyProperties.Cluster;
import io.tierflow.tenancy.TenancyProperties.ClusterPools;
import io.tierflow.tenancy.routing.PlacementPools;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The clusters the service places tenants on, kept in the control database
 * ({@code tenant_cluster}) so that one registered, changed or drained over the admin API
 * reaches every instance: a trigger announces each change, {@code PlacementChanges} hears
 * it and {@link #refresh} hands the clusters to the {@link PlacementPools}, within a
 * second. Configuration seeds the table: a configured cluster's connection follows the
 * configuration at each start, while its capacity, high-water mark and state are the
 * table's once set over the API.
 *
 * <p>
 * No password is stored. A registered cluster names the property or environment variable
 * that holds its owner's password ({@code passwordRef}, a Kubernetes secret mounted as an
 * environment variable, say), and each instance resolves it; a configured one takes its
 * password from the configuration.
 */
public class ClusterRegistry {

	private static final Logger log = LoggerFactory.getLogger(ClusterRegistry.class);

	private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,39}");

	private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

	private static final Pattern USER = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,62}");

	private static final Pattern REF = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,127}");

	private static final String COLUMNS = "name, jdbc_url, username, password_ref, role, region, capacity,"
			+ " high_water_mark, pool_max_size, database_pool_max_size, state, source, reason, created_at, updated_at";

	private final JdbcClient control;

	private final PlacementPools pools;

	private final TenancyProperties properties;

	private final Function<String, String> secrets;

	private volatile Map<String, Registered> known = Map.of();

	private final List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

	/**
	 * @param secrets resolves a registered cluster's {@code passwordRef}: a property or
	 * environment variable of this instance
	 */
	public ClusterRegistry(JdbcClient control, PlacementPools pools, TenancyProperties properties,
			Function<String, String> secrets) {
		this.control = control;
		this.pools = pools;
		this.properties = properties;
		this.secrets = secrets;
	}

	/**
	 * Writes the configured clusters into the table: new ones as they are, known ones
	 * with the configuration's connection.
	 */
	public void seed() {
		for (Cluster c : this.properties.clusters()) {
			this.control.sql("insert into tenant_cluster (name, jdbc_url, username, role, region, capacity,"
					+ " pool_max_size, database_pool_max_size, source) values (?, ?, ?, ?, ?, ?, ?, ?, 'CONFIG')"
					+ " on conflict (name) do update set jdbc_url = excluded.jdbc_url, username = excluded.username,"
					+ " role = excluded.role, region = excluded.region, pool_max_size = excluded.pool_max_size,"
					+ " database_pool_max_size = excluded.database_pool_max_size, source = 'CONFIG',"
					+ " updated_at = now() where (tenant_cluster.jdbc_url, tenant_cluster.username, tenant_cluster.role,"
					+ " tenant_cluster.region, tenant_cluster.source) is distinct from (excluded.jdbc_url,"
					+ " excluded.username, excluded.role, excluded.region, 'CONFIG')")
				.params(c.name(), c.jdbcUrl(), c.username(), c.role().name(), c.region(), c.capacity(),
						(c.pools() != null) ? c.pools().maxSize() : null,
						(c.pools() != null) ? c.pools().databaseMaxSize() : null)
				.update();
		}
	}

	/**
	 * Reads the clusters and hands them to the pools; a cluster whose password cannot be
	 * resolved here is left out, with a warning, until it can.
	 */
	public synchronized void refresh() {
		List<Registered> rows = this.control.sql("select " + COLUMNS + " from tenant_cluster order by created_at, name")
			.query(ClusterRegistry::row)
			.list();
		Map<String, Registered> next = new HashMap<>();
		boolean changed = false;
		for (Registered row : rows) {
			Optional<Cluster> cluster = toCluster(row);
			if (cluster.isEmpty()) {
				continue;
			}
			Registered before = this.known.get(row.name());
			if (before == null || !before.equals(row)) {
				changed = true;
				this.pools.put(cluster.get());
				if (before != null || row.source() == Source.API) {
					log.info("Cluster {} ({} {}, capacity {}): {}", row.name(), row.role(), row.region(),
							row.capacity(), row.state());
				}
			}
			next.put(row.name(), row);
		}
		this.known = Map.copyOf(next);
		if (changed) {
			this.listeners.forEach(Runnable::run);
		}
	}

	/** Runs {@code listener} after each refresh that found a cluster added or changed. */
	public void onChange(Runnable listener) {
		this.listeners.add(listener);
	}

	/**
	 * Whether the cluster has room under its high-water mark for {@code more} tenants and
	 * takes tenants.
	 * @param tenants the tenants placed on it now
	 */
	public boolean hasRoom(String cluster, int tenants, int more) {
		Registered row = this.known.get(cluster);
		return row != null && row.state().takesTenants() && (tenants + more) <= row.highWaterMark() * row.capacity();
	}

	/** Whether the cluster holds more tenants than its high-water mark allows. */
	public boolean aboveHighWaterMark(String cluster, int tenants) {
		Registered row = this.known.get(cluster);
		return row != null && tenants > row.highWaterMark() * row.capacity();
	}

	/** Whether new placements may go to the cluster. */
	public boolean takesTenants(String cluster) {
		Registered row = this.known.get(cluster);
		return row == null || row.state().takesTenants();
	}

	/** The cluster as registered, if it is known here. */
	public Optional<Registered> find(String name) {
		return Optional.ofNullable(this.known.get(name));
	}

	/** Every cluster, as read at the last refresh. */
	public List<Registered> all() {
		return this.known.values()
			.stream()
			.sorted(java.util.Comparator.comparing(Registered::createdAt).thenComparing(Registered::name))
			.toList();
	}

	/**
	 * Registers a cluster: checks what is asked, connects to it with the resolved
	 * password, makes the application role there, and stores it; every instance takes it
	 * within a second.
	 * @throws ClusterRequestException if something asked is invalid, or the cluster does
	 * not answer
	 * @throws IllegalStateException (a conflict) if the name is taken
	 */
	public Registered register(Registration r, AppRoles roles) {
		requireMatch("name", r.name(), NAME, "1-40 lower-case letters, digits or '-', starting with a letter");
		requireMatch("region", r.region(), REGION, "1-32 lower-case letters, digits or '-'");
		requireMatch("username", r.username(), USER, "a PostgreSQL role name");
		requireMatch("passwordRef", r.passwordRef(), REF, "the name of a property or environment variable");
		if (r.jdbcUrl() == null || !r.jdbcUrl().startsWith("jdbc:postgresql://") || r.jdbcUrl().length() > 500) {
			throw new ClusterRequestException("jdbcUrl must be a jdbc:postgresql:// URL of at most 500 characters");
		}
		if (r.role() == null) {
			throw new ClusterRequestException("role must be one of SHARED, DEDICATED, ENTERPRISE");
		}
		if (this.known.containsKey(r.name()) || existsInTable(r.name())) {
			throw new ClusterConflictException("A cluster named " + r.name() + " exists already");
		}
		String password = this.secrets.apply(r.passwordRef());
		if (password == null) {
			throw new ClusterRequestException(
					"passwordRef " + r.passwordRef() + " names no property or environment variable of this instance");
		}
		Cluster cluster = new Cluster(r.name(), r.jdbcUrl(), r.username(), password, r.role(), r.region(), r.capacity(),
				new ClusterPools(r.poolMaxSize(), r.databasePoolMaxSize()));
		checkReachable(cluster);
		try {
			roles.ensure(cluster);
		}
		catch (RuntimeException ex) {
			throw new ClusterRequestException("Cluster " + r.name() + ": " + ex.getMessage());
		}
		this.control
			.sql("insert into tenant_cluster (name, jdbc_url, username, password_ref, role, region, capacity,"
					+ " high_water_mark, pool_max_size, database_pool_max_size, source)"
					+ " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'API')")
			.params(r.name(), r.jdbcUrl(), r.username(), r.passwordRef(), r.role().name(), r.region(), r.capacity(),
					r.highWaterMark(), r.poolMaxSize(), r.databasePoolMaxSize())
			.update();
		log.info("Cluster {} registered ({} {}, capacity {})", r.name(), r.role(), r.region(), r.capacity());
		refresh();
		return this.known.get(r.name());
	}

	/**
	 * Changes a cluster's capacity, high-water mark or state; null leaves a value as it
	 * is.
	 * @return the cluster, or empty if there is none of that name
	 */
	public Optional<Registered> update(String name, Integer capacity, Double highWaterMark, ClusterState state,
			String reason) {
		int updated = this.control
			.sql("update tenant_cluster set capacity = coalesce(?, capacity),"
					+ " high_water_mark = coalesce(?, high_water_mark), state = coalesce(?, state),"
					+ " reason = case when ?::boolean then ? else reason end, updated_at = now() where name = ?")
			.params(capacity, highWaterMark, (state != null) ? state.name() : null, state != null, reason, name)
			.update();
		if (updated == 0) {
			return Optional.empty();
		}
		refresh();
		return find(name);
	}

	private boolean existsInTable(String name) {
		return this.control.sql("select exists (select 1 from tenant_cluster where name = ?)")
			.param(name)
			.query(Boolean.class)
			.single();
	}

	private Optional<Cluster> toCluster(Registered row) {
		String password;
		if (row.source() == Source.CONFIG) {
			Optional<Cluster> configured = this.properties.clusters()
				.stream()
				.filter((c) -> c.name().equals(row.name()))
				.findFirst();
			if (configured.isEmpty()) {
				log.warn("Cluster {} was configured once and is no longer: its password is unknown here", row.name());
				return Optional.empty();
			}
			password = configured.get().password();
		}
		else {
			password = this.secrets.apply(row.passwordRef());
			if (password == null) {
				log.warn("Cluster {}: its passwordRef {} names no property or environment variable here", row.name(),
						row.passwordRef());
				return Optional.empty();
			}
		}
		return Optional.of(new Cluster(row.name(), row.jdbcUrl(), row.username(), password, row.role(), row.region(),
				row.capacity(), new ClusterPools(row.poolMaxSize(), row.databasePoolMaxSize())));
	}

	/** Connects with a bounded wait: a cluster that does not answer is not registered. */
	private static void checkReachable(Cluster cluster) {
		Properties props = new Properties();
		props.setProperty("user", cluster.username());
		props.setProperty("password", cluster.password());
		props.setProperty("connectTimeout", "5");
		props.setProperty("socketTimeout", "10");
		props.setProperty("loginTimeout", "10");
		try (Connection con = DriverManager.getConnection(cluster.jdbcUrl(), props);
				Statement st = con.createStatement()) {
			st.execute("select 1");
		}
		catch (SQLException ex) {
			throw new ClusterRequestException("Cluster " + cluster.name() + " does not answer at its jdbcUrl as "
					+ cluster.username() + ": " + ex.getMessage());
		}
	}

	private static void requireMatch(String field, String value, Pattern pattern, String what) {
		if (value == null || !pattern.matcher(value).matches()) {
			throw new ClusterRequestException(field + " must be " + what);
		}
	}

	private static Registered row(java.sql.ResultSet rs, int i) throws SQLException {
		return new Registered(rs.getString("name"), rs.getString("jdbc_url"), rs.getString("username"),
				rs.getString("password_ref"), ClusterRole.valueOf(rs.getString("role")), rs.getString("region"),
				rs.getInt("capacity"), rs.getDouble("high_water_mark"), (Integer) rs.getObject("pool_max_size"),
				(Integer) rs.getObject("database_pool_max_size"), ClusterState.valueOf(rs.getString("state")),
				Source.valueOf(rs.getString("source")), rs.getString("reason"),
				rs.getObject("created_at", OffsetDateTime.class), rs.getObject("updated_at", OffsetDateTime.class));
	}

	/** Where a cluster came from. */
	public enum Source {

		/** The service's configuration ({@code tierflow.tenancy.clusters}). */
		CONFIG,

		/** The admin API. */
		API

	}

	/**
	 * A cluster as the control database has it: never its password.
	 *
	 * @param highWaterMark share of its capacity above which its tenants are moved to
	 * clusters with room
	 * @param reason why an operator set its state
	 */
	public record Registered(String name, String jdbcUrl, String username, String passwordRef, ClusterRole role,
			String region, int capacity, double highWaterMark, Integer poolMaxSize, Integer databasePoolMaxSize,
			ClusterState state, Source source, String reason, OffsetDateTime createdAt, OffsetDateTime updatedAt) {
	}

	/** A cluster to register. */
	public record Registration(String name, String jdbcUrl, String username, String passwordRef, ClusterRole role,
			String region, int capacity, double highWaterMark, Integer poolMaxSize, Integer databasePoolMaxSize) {
	}

	/** Makes the application role on a cluster ({@code TenancyBootstrap}). */
	@FunctionalInterface
	public interface AppRoles {

		void ensure(Cluster cluster);

	}

}
