package io.tierflow.tenancy.migration;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import javax.sql.DataSource;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tierflow.tenancy.TenancyProperties;
import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.PlacementStore;
import io.tierflow.tenancy.placement.StoreKey;
import io.tierflow.tenancy.placement.TransientFailures;
import io.tierflow.tenancy.placement.TenantFence;
import io.tierflow.tenancy.routing.PlacementPools;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs the tenant migrations on stores: one at a time when a tenant is provisioned, or
 * over every store at start-up, in parallel with a bound. A store whose recorded version
 * is already the latest is skipped without opening Flyway on it; a failing store is
 * recorded with its reason and the others go on. A store busy with its own transactions
 * (a migration lock timeout, {@link MigrationSessions}) stays serving at its version and
 * is tried again after the others.
 */
public class PlacementMigrator {

	private static final Logger log = LoggerFactory.getLogger(PlacementMigrator.class);

	private final PlacementPools pools;

	private final PlacementRepository placements;

	private final TransactionTemplate controlTx;

	private final TenantMigrations migrations;

	private final TenancyProperties properties;

	/** What every store's Flyway configuration starts from. */
	private final FluentConfiguration flywayTemplate;

	/** A lock per store being migrated, dropped once no caller holds it. */
	private final Cache<StoreKey, ReentrantLock> storeLocks = Caffeine.newBuilder().weakValues().build();

	public PlacementMigrator(PlacementPools pools, PlacementRepository placements, TransactionTemplate controlTx,
			TenantMigrations migrations, TenancyProperties properties) {
		this.pools = pools;
		this.placements = placements;
		this.controlTx = controlTx;
		this.migrations = migrations;
		this.properties = properties;
		this.flywayTemplate = flywayTemplate();
	}

	public TenantMigrations migrations() {
		return this.migrations;
	}

	/**
	 * Whether the store is migrated to the latest version, judged from the control
	 * tables.
	 */
	public boolean isCurrent(PlacementStore store) {
		return store.state() == PlacementState.READY && this.migrations.latestVersion().equals(store.schemaVersion());
	}

	/**
	 * Brings one store to the latest version and records it.
	 * @return true if Flyway ran, false if the store was already current
	 */
	public boolean migrate(PlacementStore store) {
		if (isCurrent(store)) {
			return false;
		}
		// One migration of a store at a time in this instance: callers that find it
		// behind at once (tenants provisioned on a shared store the start-up rollout has
		// not reached yet) wait for the first rather than each holding owner
		// connections for a Flyway run of their own until the pool is exhausted.
		ReentrantLock lock = this.storeLocks.get(store.key(), (k) -> new ReentrantLock());
		lock.lock();
		try {
			PlacementStore current = this.controlTx.execute((s) -> this.placements.findStore(store.key()))
				.orElse(store);
			return !isCurrent(current) && migrateLocked(current);
		}
		finally {
			lock.unlock();
		}
	}

	private boolean migrateLocked(PlacementStore store) {
		StoreKey key = store.key();
		try {
			DataSource owner = ownerDataSource(key, store.isolation());
			if (!createAtLatest(owner, store)) {
				String made = scriptVersion(store.schemaVersion());
				if (made != null && store.isolation() != IsolationMode.ROW && !hasHistory(owner, key.schema())) {
					// A store made at a version (createAtLatest) has no history yet: it
					// starts at that version. Flyway's baselineOnMigrate would first
					// check that the schema is not empty, with catalog queries that scan
					// every schema's relations (~0.5 s a store at 10,000 schemas).
					flyway(owner, key.schema()).baselineVersion(made)
						.baselineDescription("Tierflow: store created at this version")
						.load()
						.baseline();
				}
				flyway(owner, key.schema())
					// All pending migrations in one transaction: a store is never left
					// half-migrated, and one transaction's bookkeeping instead of one
					// per script.
					.group(true)
					.load()
					.migrate();
				try (Connection con = sessions(owner).getConnection(); Statement st = con.createStatement()) {
					st.execute(secureStatement(key.schema()));
				}
			}
			this.controlTx
				.executeWithoutResult((s) -> this.placements.storeMigrated(key, this.migrations.latestVersion()));
			return true;
		}
		catch (RuntimeException | SQLException ex) {
			String reason = rootCause(ex);
			if (lockTimedOut(ex)) {
				// The store's own transactions held a lock: it is busy, not broken. It
				// stays at its version and serving, and is tried again.
				this.controlTx.executeWithoutResult((s) -> this.placements.storeBehind(key, reason));
				throw new StoreMigrationException(key, reason, true, ex);
			}
			if (this.migrations.serves(store.schemaVersion()) || TransientFailures.isTransient(ex)) {
				// The migration's one transaction rolled back and the store's version is
				// still served: its tenants keep being served while the cause is fixed.
				// Or the server could not serve for now (a restart, no connection): the
				// store is not broken, and is migrated when tried again.
				this.controlTx.executeWithoutResult((s) -> this.placements.storeBehind(key, reason));
			}
			else {
				this.controlTx.executeWithoutResult((s) -> this.placements.storeFailed(key, reason));
			}
			throw new StoreMigrationException(key, reason, ex);
		}
	}

	/**
	 * Makes a new tenant store (its own schema or database) at the latest version in one
	 * transaction — schema, every script in Flyway's order, row-level security and
	 * grants. Flyway applying the scripts one by one costs ~100 statements of bookkeeping
	 * a store (history probes, locks, role resets, a row per script), several times the
	 * DDL itself. The store gets no Flyway history now: the version recorded in the
	 * control tables says what it was made at, and its first migration has Flyway
	 * baseline it there before applying what is newer. Building Flyway and its history
	 * table for every new store cost more CPU than the store's DDL (bench/run
	 * provisioning: the provisioning threads' CPU 16.4 -> 2.8 CPU-s for 1,000 stores),
	 * for a history that a store only needs once a newer version ships.
	 *
	 * <p>
	 * Only a store that was never migrated and holds no Flyway history takes this path. A
	 * schema left by an attempt that died between the commit and the control tables'
	 * record is such a store: it never was READY, so no tenant data can be in it (writes
	 * need a READY placement, and a tier move copies only into a migrated store), and it
	 * is made anew. The shared schema of the ROW tier is always left to Flyway.
	 * @return false if the store is not new and Flyway must migrate it
	 */
	private boolean createAtLatest(DataSource owner, PlacementStore store) throws SQLException {
		List<String> scripts = this.migrations.versionedSqlInOrder();
		if (store.schemaVersion() != null || store.isolation() == IsolationMode.ROW || scripts.isEmpty()) {
			return false;
		}
		String schema = store.key().schema();
		try (Connection con = owner.getConnection()) {
			con.setAutoCommit(false);
			try (Statement st = con.createStatement()) {
				boolean exists;
				boolean hasHistory;
				try (ResultSet rs = st.executeQuery("select to_regnamespace('" + schema + "') is not null,"
						+ " to_regclass('" + schema + ".flyway_schema_history') is not null")) {
					rs.next();
					exists = rs.getBoolean(1);
					hasHistory = rs.getBoolean(2);
				}
				if (hasHistory) {
					con.rollback();
					return false;
				}
				if (exists) {
					log.info("Store {} was left half-made by an earlier attempt; making it anew", store.key());
					st.execute("drop schema " + schema + " cascade");
				}
				// The schema name comes from the tenant id only (StoreNames).
				st.execute("create schema " + schema);
				st.execute("set local search_path to " + schema);
				for (String script : scripts) {
					st.execute(script);
				}
				st.execute(secureStatement(schema));
				con.commit();
			}
			catch (SQLException | RuntimeException ex) {
				con.rollback();
				throw ex;
			}
			finally {
				con.setAutoCommit(true);
			}
		}
		return true;
	}

	private static boolean hasHistory(DataSource owner, String schema) throws SQLException {
		try (Connection con = owner.getConnection();
				Statement st = con.createStatement();
				// The schema name comes from the tenant id only (StoreNames).
				ResultSet rs = st
					.executeQuery("select to_regclass('" + schema + ".flyway_schema_history') is not null")) {
			rs.next();
			return rs.getBoolean(1);
		}
	}

	/**
	 * Makes {@code schema} in the database of {@code store} at the tenant migrations'
	 * script version {@code version}: the staging schema that an archive written at an
	 * older version is loaded into, before {@link #migrateStaging} brings it to the
	 * latest. Not a store: nothing records it, and no row-level security is set up (only
	 * the owner ever reads it).
	 */
	public void createStaging(StoreKey store, IsolationMode isolation, String schema, String version) {
		flyway(ownerDataSource(store, isolation), schema).target(version).load().migrate();
	}

	/** Brings a staging schema to the latest version. */
	public void migrateStaging(StoreKey store, IsolationMode isolation, String schema) {
		flyway(ownerDataSource(store, isolation), schema).group(true).load().migrate();
	}

	/**
	 * Whether {@code version} (a store's recorded version, {@code <script>+<platform>})
	 * names a script version of this service's tenant migrations up to the latest.
	 */
	public boolean knowsVersion(String version) {
		String script = scriptVersion(version);
		return script != null
				&& MigrationVersion.fromVersion(script).compareTo(this.migrations.latestScriptVersion()) <= 0
				&& this.migrations.hasScriptVersion(script);
	}

	/** The script part of a recorded version ({@code 3} of {@code 3+2}), or null. */
	public static String scriptVersion(String version) {
		if (version == null || version.isBlank()) {
			return null;
		}
		int plus = version.indexOf('+');
		return (plus >= 0) ? version.substring(0, plus) : version;
	}

	/**
	 * Orders two recorded versions ({@code <script>+p<revision>}): by script version,
	 * then by platform revision.
	 */
	public static int compareVersions(String a, String b) {
		int scripts = MigrationVersion.fromVersion(scriptVersion(a))
			.compareTo(MigrationVersion.fromVersion(scriptVersion(b)));
		return (scripts != 0) ? scripts : Integer.compare(revision(a), revision(b));
	}

	private static int revision(String version) {
		int plus = version.indexOf("+p");
		try {
			return (plus >= 0) ? Integer.parseInt(version.substring(plus + 2)) : 0;
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

	/**
	 * Flyway for one store, configured from {@link #flywayTemplate}: a configuration made
	 * from scratch finds Flyway's plugins anew through the class path's service files,
	 * one made from another copies them.
	 */
	private FluentConfiguration flyway(DataSource owner, String schema) {
		return Flyway.configure(getClass().getClassLoader())
			.configuration(this.flywayTemplate)
			.dataSource(sessions(owner))
			.schemas(schema)
			.defaultSchema(schema);
	}

	private FluentConfiguration flywayTemplate() {
		FluentConfiguration template = Flyway.configure(getClass().getClassLoader())
			.createSchemas(true)
			// The platform's own scripts (V0_x, db/tierflow/tenant) sort below the
			// service's: one added later is applied out of order.
			.outOfOrder(true)
			.resourceProvider(this.migrations)
			.javaMigrationClassProvider(Collections::emptyList)
			.skipDefaultCallbacks(true)
			.placeholderReplacement(false);
		// Found once here; each store's configuration copies them.
		template.getPluginRegister().getPlugins(org.flywaydb.core.extensibility.Plugin.class);
		return template;
	}

	/** Migrates every store that is behind, {@code parallelism} at a time. */
	public MigrationReport migrateAll() {
		List<PlacementStore> stores = this.controlTx.execute((s) -> this.placements.stores());
		List<PlacementStore> behind = stores.stream().filter((s) -> !isCurrent(s)).toList();
		long start = System.nanoTime();
		if (behind.isEmpty()) {
			MigrationReport report = new MigrationReport(stores.size(), 0, stores.size(), List.of(),
					Duration.ofNanos(System.nanoTime() - start));
			log.info("Tenant migrations: all {} stores at version {}", stores.size(), this.migrations.latestVersion());
			return report;
		}
		log.info("Tenant migrations: {} of {} stores behind version {}, migrating {} at a time", behind.size(),
				stores.size(), this.migrations.latestVersion(), this.properties.migration().parallelism());
		ExecutorService workers = Executors.newFixedThreadPool(this.properties.migration().parallelism());
		AtomicInteger done = new AtomicInteger();
		List<MigrationReport.Failure> failures = Collections.synchronizedList(new ArrayList<>());
		List<PlacementStore> busy = Collections.synchronizedList(new ArrayList<>());
		try {
			run(workers, behind, busy, failures, done, behind.size(), start);
			// Stores whose own transactions held a lock longer than the lock timeout go
			// again once the others are done, the fleet never waiting on them.
			for (int retry = 1; retry <= this.properties.migration().lockRetries() && !busy.isEmpty(); retry++) {
				List<PlacementStore> again = List.copyOf(busy);
				busy.clear();
				log.info("Tenant migrations: trying {} busy stores again ({} of {})", again.size(), retry,
						this.properties.migration().lockRetries());
				run(workers, again, busy, failures, new AtomicInteger(), again.size(), System.nanoTime());
			}
		}
		finally {
			workers.shutdown();
			awaitQuietly(workers);
		}
		for (PlacementStore store : busy) {
			failures.add(new MigrationReport.Failure(store.key(),
					"still busy after " + (1 + this.properties.migration().lockRetries())
							+ " tries: its transactions held a lock longer than the lock timeout ("
							+ this.properties.migration().lockTimeout().toMillis() + " ms); left at "
							+ store.schemaVersion() + " for the next pass",
					true));
			log.warn("Store {} is still busy: left at version {} for the next pass", store.key(),
					store.schemaVersion());
		}
		return new MigrationReport(stores.size(), behind.size() - failures.size(), stores.size() - behind.size(),
				List.copyOf(failures), Duration.ofNanos(System.nanoTime() - start));
	}

	/**
	 * Migrates {@code stores} on the workers and waits for them: a store that failed is
	 * added to {@code failures}, one that timed out on a lock to {@code busy}.
	 */
	private void run(ExecutorService workers, List<PlacementStore> stores, List<PlacementStore> busy,
			List<MigrationReport.Failure> failures, AtomicInteger done, int total, long start) {
		List<Future<?>> futures = new ArrayList<>();
		for (PlacementStore store : stores) {
			futures.add(workers.submit(() -> {
				try {
					migrate(store);
				}
				catch (StoreMigrationException ex) {
					if (ex.lockTimedOut()) {
						busy.add(store);
						log.info("Store {} is busy (lock timeout), tried again later", store.key());
					}
					else {
						failures.add(new MigrationReport.Failure(store.key(), ex.reason(), false));
						log.warn("Store {} failed to migrate: {}", store.key(), ex.reason());
					}
				}
				int n = done.incrementAndGet();
				if (n % 100 == 0 || n == total) {
					double seconds = (System.nanoTime() - start) / 1e9;
					log.info("Tenant migrations: {}/{} stores ({} per s), {} failed, {} busy", n, total,
							String.format("%.0f", n / seconds), failures.size(), busy.size());
				}
			}));
		}
		try {
			for (Future<?> future : futures) {
				future.get();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while migrating stores", ex);
		}
		catch (java.util.concurrent.ExecutionException ex) {
			throw new IllegalStateException("Migration worker failed", ex.getCause());
		}
	}

	private DataSource sessions(DataSource owner) {
		return new MigrationSessions(owner, this.properties.migration().lockTimeout());
	}

	/** Whether PostgreSQL gave up waiting for a lock ({@code lock_not_available}). */
	private static boolean lockTimedOut(Throwable ex) {
		for (Throwable t = ex; t != null; t = (t.getCause() == t) ? null : t.getCause()) {
			if (t instanceof SQLException sql && "55P03".equals(sql.getSQLState())) {
				return true;
			}
		}
		return false;
	}

	private DataSource ownerDataSource(StoreKey key, IsolationMode isolation) {
		if (isolation != IsolationMode.DATABASE) {
			return this.pools.owner(key.cluster(), key.database());
		}
		// A tenant database is migrated once in a long while: a plain connection, no pool
		// to keep.
		return this.pools.plainOwner(key.cluster(), key.database());
	}

	/**
	 * Every table with a {@code tenant_id} gets row-level security and the application
	 * role's DML grants; the role gets nothing else (no ownership, no DDL, not the Flyway
	 * history). The database gets the tier-move fence ({@link TenantFence}) if it has
	 * none yet.
	 *
	 * <p>
	 * The schema's tables are found through {@code pg_depend}, whose index on the
	 * referenced object leads straight to them. {@code pg_class} has no index on its
	 * namespace: filtering it by schema scanned every relation of the database, ~14 ms at
	 * 1,000 tenant schemas, so provisioning slowed with every tenant added.
	 */
	private String secureStatement(String schema) {
		String app = this.properties.appRole().username();
		return ("""
				DO $$
				DECLARE r record;
				BEGIN
				  -- Two instances (or a provisioning and a rollout) securing the same schema at
				  -- once would update its ACL concurrently ("tuple concurrently updated"): one
				  -- waits for the other.
				  PERFORM pg_advisory_xact_lock(hashtext('tierflow.secure.%1$s'));
				""" + TenantFence.ENSURE
				+ """
						  EXECUTE format('GRANT USAGE ON SCHEMA %%I TO %%I', '%1$s', '%2$s');
						  FOR r IN SELECT c.relname, c.relrowsecurity FROM pg_depend d
						      JOIN pg_class c ON c.oid = d.objid
						      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
						      WHERE d.refclassid = 'pg_namespace'::regclass AND d.classid = 'pg_class'::regclass
						        AND d.deptype = 'n' AND d.refobjid = (SELECT oid FROM pg_namespace WHERE nspname = '%1$s')
						        AND c.relkind IN ('r', 'p')
						  LOOP
						    IF NOT r.relrowsecurity THEN
						      EXECUTE format('ALTER TABLE %%I.%%I ENABLE ROW LEVEL SECURITY', '%1$s', r.relname);
						      EXECUTE format('CREATE POLICY tenant_isolation ON %%I.%%I USING (tenant_id = '
						        '(SELECT nullif(current_setting(''tierflow.tenant_id'', true), '''')::uuid))', '%1$s', r.relname);
						    END IF;
						    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %%I.%%I TO %%I', '%1$s', r.relname, '%2$s');
						  END LOOP;
						END $$""")
			.formatted(schema, app);
	}

	private static String rootCause(Throwable ex) {
		Throwable cause = ex;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		String message = cause.getMessage();
		return cause.getClass().getSimpleName() + ((message != null) ? ": " + message : "");
	}

	private static void awaitQuietly(ExecutorService workers) {
		try {
			workers.awaitTermination(1, TimeUnit.MINUTES);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
