package io.tierflow.tenancy.routing;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import io.tierflow.tenancy.TenancyProperties;
import io.tierflow.tenancy.TenancyProperties.Cluster;
import io.tierflow.tenancy.placement.JdbcUrls;
import io.tierflow.tenancy.placement.StoreNames;
import org.postgresql.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/**
 * Connection pools for every database the service reaches. Each cluster's base database
 * (shared tables and tenant schemas) gets one application pool and one small owner pool,
 * open for the life of the service. Tenant databases get small pools in a bounded LRU
 * cache: the least recently used and the idle ones are closed once their borrowed
 * connections are back, so 1,000 tenant databases never mean 1,000 open pools.
 *
 * <p>
 * Pools are named by cluster, tier and kind ({@code tierflow-shared-eu-shared-app}); a
 * tenant database's pool by a slot number instead of its database
 * ({@code tierflow-enterprise-eu-enterprise-db3-app}), since that database's name carries
 * the tenant id and a pool's name becomes the {@code pool} label of its Hikari metrics. A
 * slot is reused once its pool is closed, so there are never more names than pools open
 * at once.
 */
public class PlacementPools implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(PlacementPools.class);

	private final TenancyProperties properties;

	/**
	 * The clusters by name, in the order they were added: replaced as a whole when one is
	 * added or changed at run time, so that reading it takes no lock.
	 */
	private volatile Map<String, Cluster> clusters = Map.of();

	/** Each cluster's base database, by cluster name. */
	private final Map<String, String> baseDatabases = new ConcurrentHashMap<>();

	private final Map<String, HikariDataSource> clusterApp = new ConcurrentHashMap<>();

	private final Map<String, HikariDataSource> clusterOwner = new ConcurrentHashMap<>();

	private final Cache<PoolKey, HikariDataSource> databasePools;

	private final ScheduledExecutorService closer = Executors.newSingleThreadScheduledExecutor((r) -> {
		Thread t = new Thread(r, "tierflow-pool-closer");
		t.setDaemon(true);
		return t;
	});

	private final AtomicInteger openDatabasePools = new AtomicInteger();

	private final MetricsTrackerFactory metrics;

	/** Every pool not closed yet, those on their way out of the LRU cache included. */
	private final Map<HikariDataSource, PoolName> open = new ConcurrentHashMap<>();

	/** Slots taken by open tenant database pools, by cluster and kind. */
	private final Map<String, BitSet> slots = new HashMap<>();

	public PlacementPools(TenancyProperties properties) {
		this(properties, null);
	}

	/**
	 * @param metrics receives every pool's Hikari metrics (HikariCP's
	 * {@code MicrometerMetricsTrackerFactory}), or null for none
	 */
	public PlacementPools(TenancyProperties properties, MetricsTrackerFactory metrics) {
		this.properties = properties;
		this.metrics = metrics;
		Map<String, Cluster> configured = new LinkedHashMap<>();
		for (Cluster cluster : properties.clusters()) {
			if (configured.put(cluster.name(), cluster) != null) {
				throw new IllegalArgumentException(
						"Duplicate cluster name in tierflow.tenancy.clusters: " + cluster.name());
			}
			this.baseDatabases.put(cluster.name(), JdbcUrls.databaseOf(cluster.jdbcUrl()));
		}
		this.clusters = java.util.Collections.unmodifiableMap(configured);
		Duration idle = properties.pools().databasePoolIdle();
		this.databasePools = Caffeine.newBuilder()
			.maximumSize(properties.pools().maxOpenDatabasePools())
			.expireAfterAccess(idle)
			.removalListener((PoolKey key, HikariDataSource pool, RemovalCause cause) -> {
				if (pool != null) {
					closeWhenIdle(key, pool, 0, true);
				}
			})
			.build();
	}

	public Cluster cluster(String name) {
		Cluster cluster = this.clusters.get(name);
		if (cluster == null) {
			throw new IllegalStateException("Placement refers to cluster '" + name + "' which is not configured");
		}
		return cluster;
	}

	public Iterable<Cluster> clusters() {
		return this.clusters.values();
	}

	/**
	 * Adds a cluster registered at run time, or takes a cluster's new settings. If its
	 * connection (URL, owner, password) or pool sizes changed, its open pools are closed
	 * once their borrowed connections are back, and the next use opens them anew.
	 */
	public synchronized void put(Cluster cluster) {
		Map<String, Cluster> next = new LinkedHashMap<>(this.clusters);
		Cluster old = next.put(cluster.name(), cluster);
		this.baseDatabases.put(cluster.name(), JdbcUrls.databaseOf(cluster.jdbcUrl()));
		this.clusters = java.util.Collections.unmodifiableMap(next);
		if (old != null && !sameConnections(old, cluster)) {
			log.info("Cluster {} has new connection settings: its pools are opened anew", cluster.name());
			HikariDataSource app = this.clusterApp.remove(cluster.name());
			HikariDataSource owner = this.clusterOwner.remove(cluster.name());
			for (HikariDataSource pool : new HikariDataSource[] { app, owner }) {
				if (pool != null) {
					closeWhenIdle(new PoolKey(cluster.name(), "(base)", pool == owner), pool, 0, false);
				}
			}
			this.databasePools.asMap().keySet().removeIf((key) -> key.cluster().equals(cluster.name()));
		}
	}

	private static boolean sameConnections(Cluster a, Cluster b) {
		return a.jdbcUrl().equals(b.jdbcUrl()) && a.username().equals(b.username())
				&& Objects.equals(a.password(), b.password()) && Objects.equals(a.pools(), b.pools());
	}

	/**
	 * Pool for request traffic (application role) to {@code database} on {@code cluster}.
	 */
	public DataSource app(String cluster, String database) {
		return pool(cluster, database, false);
	}

	/**
	 * Pool with owner rights (migrations, provisioning, relaying) to {@code database}.
	 */
	public DataSource owner(String cluster, String database) {
		return pool(cluster, database, true);
	}

	/**
	 * The most connections these pools hold at once: every cluster's base database pools
	 * at their maximum, and as many tenant database pools as may be open at the largest
	 * tenant database pool size. Pools on their way out of the LRU cache keep their
	 * borrowed connections until they come back, so this can be passed for the length of
	 * a transaction; the control pool and plain connections (a tenant database's
	 * migration, the listener for placement changes) are not in it.
	 */
	public int maxConnections() {
		int base = 0;
		int largestDatabasePool = 0;
		for (Cluster cluster : this.clusters.values()) {
			base += this.properties.basePoolSize(cluster) + baseOwnerPoolSize();
			largestDatabasePool = Math.max(largestDatabasePool, this.properties.databasePoolSize(cluster));
		}
		return base + this.properties.pools().maxOpenDatabasePools() * largestDatabasePool;
	}

	/**
	 * A cluster's base owner pool: Flyway may hold two connections per store it migrates.
	 */
	private int baseOwnerPoolSize() {
		return Math.max(2, 2 * this.properties.migration().parallelism() + 1);
	}

	/**
	 * Whether a pool to {@code database} is open now, without opening one: always for a
	 * cluster's base database, for a tenant database while its pool is in the cache.
	 */
	public boolean isOpen(String cluster, String database, boolean owner) {
		if (database.equals(this.baseDatabases.get(cluster))) {
			return true;
		}
		return this.databasePools.getIfPresent(new PoolKey(cluster, database, owner)) != null;
	}

	/**
	 * Owner connections to {@code database} without a pool: each {@code getConnection}
	 * opens one. For rare work on a tenant database (its migration, a sweep's probe of a
	 * quiet outbox) that should not take the pool of a tenant being served out of the
	 * cache.
	 */
	public DataSource plainOwner(String cluster, String database) {
		Cluster c = cluster(cluster);
		return new SimpleDriverDataSource(new Driver(), JdbcUrls.withDatabase(c.jdbcUrl(), database), c.username(),
				c.password());
	}

	/**
	 * Owner connections for rare work on {@code database} (a measurement, say): its pool
	 * if one is open, else {@link #plainOwner plain connections}, so the work never opens
	 * a pool of its own.
	 */
	public DataSource ownerIfOpen(String cluster, String database) {
		return isOpen(cluster, database, true) ? owner(cluster, database) : plainOwner(cluster, database);
	}

	/** Number of per-database pools currently open. */
	public int openDatabasePools() {
		return this.openDatabasePools.get();
	}

	/**
	 * Connections borrowed right now from the pools to {@code cluster}: its base
	 * database's and its tenant databases', application and owner pools alike.
	 */
	public int activeConnections(String cluster) {
		int active = 0;
		for (Map.Entry<HikariDataSource, PoolName> pool : this.open.entrySet()) {
			if (pool.getValue().cluster().equals(cluster)) {
				HikariPoolMXBean mx = pool.getKey().getHikariPoolMXBean();
				active += (mx != null) ? mx.getActiveConnections() : 0;
			}
		}
		return active;
	}

	/** The tier a cluster's tenants have: the one its role serves, in lower case. */
	public static String tierOf(Cluster cluster) {
		return cluster.role().name().toLowerCase(Locale.ROOT);
	}

	/**
	 * Opens connections in the pool a store's tenants are served from, ahead of a burst:
	 * a tier move's cutover sends every writer of the moved tenant, held by the fence, to
	 * the target's pool at once, and a pool that has idled down to its minimum (or a
	 * tenant's database pool not open yet) makes them wait while Hikari makes connections
	 * one after another, a few milliseconds each. Fills the pool to two short of its
	 * size, so that other tenants' requests meanwhile find room; idle connections then
	 * stay for the pool's idle timeout.
	 * @return the pool's connections once warm
	 */
	public int warm(String cluster, String database) {
		HikariDataSource pool = (HikariDataSource) pool(cluster, database, false);
		int target = Math.max(1, pool.getMaximumPoolSize() - 2);
		List<Connection> held = new ArrayList<>(target);
		try {
			// Borrowed and held until the pool has made enough: a borrowed idle
			// connection does not count twice, a wait makes the pool add one.
			while (held.size() < target && total(pool) < target) {
				held.add(pool.getConnection());
			}
		}
		catch (SQLException ex) {
			log.debug("Warming the pool of {}/{} stopped at {} connections: {}", cluster, database, total(pool),
					ex.getMessage());
		}
		finally {
			for (Connection con : held) {
				try {
					con.close();
				}
				catch (SQLException ex) {
					log.debug("Returning a warming connection failed: {}", ex.getMessage());
				}
			}
		}
		return total(pool);
	}

	/**
	 * Connections open now in the pool {@code database}'s tenants are served from: 0 when
	 * it has no pool open (none is opened to tell).
	 */
	public int openConnections(String cluster, String database) {
		return isOpen(cluster, database, false) ? total((HikariDataSource) pool(cluster, database, false)) : 0;
	}

	private static int total(HikariDataSource pool) {
		HikariPoolMXBean mx = pool.getHikariPoolMXBean();
		return (mx != null) ? mx.getTotalConnections() : 0;
	}

	/**
	 * Closes the per-database pool of a dropped database, so no connection keeps it
	 * alive.
	 */
	public void evict(String cluster, String database) {
		this.databasePools.invalidate(new PoolKey(cluster, database, false));
		this.databasePools.invalidate(new PoolKey(cluster, database, true));
	}

	private DataSource pool(String clusterName, String database, boolean owner) {
		Cluster cluster = cluster(clusterName);
		if (database.equals(this.baseDatabases.get(clusterName))) {
			// Looked up on every transaction: no lock once the pool exists.
			Map<String, HikariDataSource> pools = owner ? this.clusterOwner : this.clusterApp;
			HikariDataSource pool = pools.get(clusterName);
			if (pool != null) {
				return pool;
			}
			return pools.computeIfAbsent(clusterName, (n) -> create(cluster, database, owner,
					owner ? baseOwnerPoolSize() : this.properties.basePoolSize(cluster), true));
		}
		return this.databasePools.get(new PoolKey(clusterName, database, owner), (key) -> {
			this.openDatabasePools.incrementAndGet();
			return create(cluster, database, owner, this.properties.databasePoolSize(cluster), false);
		});
	}

	private HikariDataSource create(Cluster cluster, String database, boolean owner, int size, boolean longLived) {
		PoolName name = new PoolName(cluster.name(), tierOf(cluster), owner,
				longLived ? PoolName.BASE : claimSlot(cluster.name(), owner));
		HikariConfig config = new HikariConfig();
		config.setPoolName(name.toString());
		if (this.metrics != null) {
			config.setMetricsTrackerFactory(this.metrics);
		}
		config.setJdbcUrl(JdbcUrls.withDatabase(cluster.jdbcUrl(), database));
		if (owner) {
			config.setUsername(cluster.username());
			config.setPassword(cluster.password());
		}
		else {
			config.setUsername(this.properties.appRole().username());
			config.setPassword(this.properties.appRole().password());
		}
		if (!owner && !longLived) {
			// A tenant's own database serves that tenant only: its connections carry the
			// tenant's settings for their whole life, so a transaction on them needs no
			// settings statement of its own (TenantTransactionManager).
			StoreNames.tenantOfDatabase(this.properties.service(), database)
				.ifPresent((tenant) -> config.setConnectionInitSql(sessionSettings(tenant)));
		}
		config.setMaximumPoolSize(size);
		config.setMinimumIdle(longLived ? Math.min(2, size) : 0);
		config.setIdleTimeout(Math.max(10_000, this.properties.pools().databasePoolIdle().toMillis()));
		config.setConnectionTimeout(10_000);
		config.setInitializationFailTimeout(-1);
		HikariDataSource pool;
		try {
			pool = new HikariDataSource(config);
		}
		catch (RuntimeException ex) {
			releaseSlot(name);
			throw ex;
		}
		this.open.put(pool, name);
		if (!longLived) {
			log.debug("Opened pool {} for database {}", name, database);
		}
		return pool;
	}

	private synchronized int claimSlot(String cluster, boolean owner) {
		BitSet taken = this.slots.computeIfAbsent(cluster + (owner ? "/owner" : "/app"), (k) -> new BitSet());
		int slot = taken.nextClearBit(0);
		taken.set(slot);
		return slot;
	}

	private synchronized void releaseSlot(PoolName name) {
		if (name.slot() != PoolName.BASE) {
			this.slots.get(name.cluster() + (name.owner() ? "/owner" : "/app")).clear(name.slot());
		}
	}

	/** Closes a pool, then frees its name: its metrics are gone with it. */
	private void close(HikariDataSource pool) {
		pool.close();
		PoolName name = this.open.remove(pool);
		if (name != null) {
			releaseSlot(name);
		}
	}

	/**
	 * The session settings of a connection to the tenant's own database; the tenant id is
	 * a UUID and the schema a constant, nothing to escape.
	 */
	static String sessionSettings(UUID tenant) {
		return "select set_config('tierflow.tenant_id', '" + tenant + "', false), set_config('search_path', '"
				+ StoreNames.DATABASE_SCHEMA + "', false)";
	}

	private void closeWhenIdle(PoolKey key, HikariDataSource pool, int attempt, boolean databasePool) {
		// A pool leaves the cache while a transaction may still hold one of its
		// connections:
		// close it only once every borrowed connection is back (or after a minute, at
		// worst).
		var mx = pool.getHikariPoolMXBean();
		if (mx != null && mx.getActiveConnections() > 0 && attempt < 60) {
			this.closer.schedule(() -> closeWhenIdle(key, pool, attempt + 1, databasePool), 1, TimeUnit.SECONDS);
			return;
		}
		close(pool);
		if (databasePool) {
			this.openDatabasePools.decrementAndGet();
		}
		log.debug("Closed pool for {}", key);
	}

	@Override
	public void close() {
		this.databasePools.invalidateAll();
		this.databasePools.cleanUp();
		this.clusterApp.values().forEach(this::close);
		this.clusterOwner.values().forEach(this::close);
		this.closer.shutdown();
	}

	/**
	 * A pool's name: cluster, tier, kind, and for a tenant database's pool its slot —
	 * never the database, whose name may carry a tenant id.
	 */
	record PoolName(String cluster, String tier, boolean owner, int slot) {

		/** The slot of a cluster's base database pools. */
		static final int BASE = -1;

		@Override
		public String toString() {
			return "tierflow-" + this.cluster + "-" + this.tier + ((this.slot != BASE) ? "-db" + this.slot : "")
					+ (this.owner ? "-owner" : "-app");
		}

	}

	private record PoolKey(String cluster, String database, boolean owner) {
		PoolKey {
			Objects.requireNonNull(cluster);
			Objects.requireNonNull(database);
		}
	}

}
