package io.tierflow.tenancy.migration;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.github.f4b6a3.uuid.UuidCreator;
import io.tierflow.tenancy.TenancyBootstrap;
import io.tierflow.tenancy.TenancyProperties;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementStore;
import io.tierflow.tenancy.placement.StoreKey;
import org.postgresql.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Rolls a new tenant migration over the service's stores in waves: a canary of a few
 * single-tenant stores first, then batches, each store migrated by
 * {@link PlacementMigrator#migrate} with its lock timeout. The rollout halts itself when
 * the share of failed stores passes its threshold, so a migration that breaks on the
 * canary never reaches the shared schema or the rest of the fleet; an operator pauses and
 * resumes it over the admin API.
 *
 * <p>
 * A rollout is rows in the control database ({@code migration_rollout} and one
 * {@code migration_rollout_store} per store), so every instance sees it and its per-store
 * status, and it outlives the instance that runs it. Each instance looks for a RUNNING
 * rollout every {@code poll}; the one that takes the rollout's session-level advisory
 * lock carries it out, and holds the lock on the connection it reads the rollout's state
 * through. An instance that dies drops its connection and so the lock, and another (or
 * the restarted one) carries the rollout on from its first store not yet tried; a store
 * that was half-way is migrated in one transaction, so it is either at the new version or
 * untouched. Only an instance at the rollout's version carries it out: during a rolling
 * deploy an old instance leaves a new version's rollout alone.
 *
 * <p>
 * This class is the rollout's API and the lock that decides who carries it out;
 * {@link RolloutRun} carries it out, {@link RolloutWaves} groups its stores.
 */
public class MigrationRollouts implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(MigrationRollouts.class);

	private static final String COLUMNS = "rollout_id, target_version, state, canary, batch_size, max_failure_rate,"
			+ " reason, created_at, updated_at, ended_at";

	/**
	 * Unpooled connections to the control database for the rollout's lock: a
	 * session-level lock must never go back to a pool with its connection.
	 */
	private final DataSource locks;

	private final JdbcClient jdbc;

	private final TransactionTemplate controlTx;

	private final PlacementRepository placements;

	private final PlacementMigrator migrator;

	private final TenancyProperties properties;

	private final String lockName;

	private final ScheduledExecutorService scheduler;

	private volatile boolean closed;

	/** The rollout this instance is carrying out, if any. */
	private volatile RolloutRun current;

	private volatile UUID warnedAbout;

	public MigrationRollouts(DataSource control, TransactionTemplate controlTx, PlacementRepository placements,
			PlacementMigrator migrator, TenancyProperties properties) {
		this.locks = new SimpleDriverDataSource(new Driver(), properties.control().jdbcUrl(),
				properties.control().username(), properties.control().password());
		this.jdbc = JdbcClient.create(control);
		this.controlTx = controlTx;
		this.placements = placements;
		this.migrator = migrator;
		this.properties = properties;
		this.lockName = "tierflow.rollout." + properties.service();
		this.scheduler = Executors.newSingleThreadScheduledExecutor((r) -> {
			Thread thread = new Thread(r, "tierflow-rollouts");
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Starts looking for a running rollout that nobody carries out, every {@code poll}.
	 */
	public void start() {
		long poll = this.properties.migration().rollout().poll().toMillis();
		this.scheduler.scheduleWithFixedDelay(this::carryOutRunning, 0, poll, TimeUnit.MILLISECONDS);
	}

	/**
	 * Stops this instance's part: the stores in flight end, no other starts, and the
	 * rollout's lock is released for another instance to carry it on.
	 */
	@Override
	public void close() {
		this.closed = true;
		RolloutRun run = this.current;
		if (run != null) {
			run.stop();
		}
		this.scheduler.shutdownNow();
		try {
			this.scheduler.awaitTermination(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Starts a rollout of the latest version over every store behind it. A rollout of an
	 * older version still open is superseded; with no store behind, the rollout is
	 * recorded as completed at once.
	 * @throws RolloutConflictException if a rollout of this version (or a newer one) is
	 * open
	 */
	public Rollout start(Rollout.Plan plan) {
		TenancyProperties.Rollout defaults = this.properties.migration().rollout();
		int canary = (plan.canary() != null) ? plan.canary() : defaults.canary();
		int batchSize = (plan.batchSize() != null) ? plan.batchSize() : defaults.batchSize();
		double maxFailureRate = (plan.maxFailureRate() != null) ? plan.maxFailureRate() : defaults.maxFailureRate();
		String target = this.migrator.migrations().latestVersion();
		UUID id = UuidCreator.getTimeOrderedEpoch();
		int stores;
		try {
			stores = this.controlTx.execute((s) -> {
				supersedeOpen(target, id);
				List<PlacementStore> behind = this.placements.stores()
					.stream()
					.filter((store) -> !this.migrator.isCurrent(store))
					.toList();
				boolean nothing = behind.isEmpty();
				this.jdbc
					.sql("insert into migration_rollout (rollout_id, target_version, state, canary, batch_size,"
							+ " max_failure_rate, reason, ended_at) values (?, ?, ?, ?, ?, ?, ?, ?)")
					.params(id, target, (nothing ? RolloutState.COMPLETED : RolloutState.RUNNING).name(), canary,
							batchSize, maxFailureRate, nothing ? "every store was at " + target : null,
							nothing ? OffsetDateTime.now() : null)
					.update();
				insertStores(id, RolloutWaves.of(behind, canary, batchSize));
				return behind.size();
			});
		}
		catch (DuplicateKeyException ex) {
			// Another instance started one between our look and our insert.
			throw new RolloutConflictException("Another rollout was started at the same time");
		}
		log.info(
				"Rollout {} of version {} started over {} stores: canary {}, then batches of {}, halting above {}% failed",
				id, target, stores, Math.min(canary, stores), batchSize, maxFailureRate * 100);
		wake();
		return find(id).orElseThrow();
	}

	/**
	 * Starts a rollout if stores are behind and no rollout of this version is open: what
	 * an instance does at start-up. Another instance starting at the same time starts it
	 * instead.
	 */
	public Optional<Rollout> startIfBehind() {
		boolean behind = this.controlTx.execute((s) -> this.placements.stores())
			.stream()
			.anyMatch((store) -> !this.migrator.isCurrent(store));
		if (!behind) {
			log.info("Tenant migrations: every store at version {}", this.migrator.migrations().latestVersion());
			return Optional.empty();
		}
		try {
			return Optional.of(start(Rollout.Plan.DEFAULTS));
		}
		catch (RolloutConflictException ex) {
			log.info("Tenant migrations: stores are behind and a rollout is open: {}", ex.getMessage());
			return Optional.empty();
		}
	}

	/** Stops a running rollout once its stores in flight end. */
	public Optional<Rollout> pause(UUID id) {
		Optional<RolloutState> state = this.controlTx.execute((s) -> {
			Optional<RolloutState> now = lockedState(id);
			if (now.isPresent() && now.get() != RolloutState.PAUSED) {
				if (now.get() != RolloutState.RUNNING) {
					throw new RolloutConflictException("Rollout " + id + " is " + now.get() + ", not RUNNING");
				}
				setState(id, RolloutState.PAUSED, "paused by an operator");
			}
			return now;
		});
		if (state.isEmpty()) {
			return Optional.empty();
		}
		RolloutRun run = this.current;
		if (run != null && run.id().equals(id)) {
			run.stop();
		}
		log.info("Rollout {} paused", id);
		return find(id);
	}

	/**
	 * Carries a paused or halted rollout on; the stores that failed in a halted one are
	 * tried again.
	 */
	public Optional<Rollout> resume(UUID id) {
		String ours = this.migrator.migrations().latestVersion();
		Optional<RolloutState> state = this.controlTx.execute((s) -> {
			Optional<RolloutState> now = lockedState(id);
			if (now.isEmpty() || now.get() == RolloutState.RUNNING) {
				return now;
			}
			if (!now.get().isOpen()) {
				throw new RolloutConflictException("Rollout " + id + " is " + now.get() + " and cannot be resumed");
			}
			String target = this.jdbc.sql("select target_version from migration_rollout where rollout_id = ?")
				.param(id)
				.query(String.class)
				.single();
			if (!target.equals(ours)) {
				throw new RolloutConflictException("Rollout " + id + " brings stores to version " + target
						+ ", but this instance runs version " + ours);
			}
			if (now.get() == RolloutState.HALTED) {
				this.jdbc
					.sql("update migration_rollout_store set state = 'PENDING', ended_at = null"
							+ " where rollout_id = ? and state = 'FAILED'")
					.param(id)
					.update();
			}
			setState(id, RolloutState.RUNNING, null);
			return now;
		});
		if (state.isEmpty()) {
			return Optional.empty();
		}
		log.info("Rollout {} resumed (was {})", id, state.get());
		wake();
		return find(id);
	}

	/** The rollout with its stores counted by state. */
	public Optional<Rollout> find(UUID id) {
		return this.jdbc.sql("select " + COLUMNS + " from migration_rollout where rollout_id = ?")
			.param(id)
			.query(MigrationRollouts::row)
			.optional()
			.map(this::withFigures);
	}

	/** The latest rollouts, newest first. */
	public List<Rollout> recent(int limit) {
		return this.jdbc.sql("select " + COLUMNS + " from migration_rollout order by created_at desc limit ?")
			.param(limit)
			.query(MigrationRollouts::row)
			.list()
			.stream()
			.map(this::withFigures)
			.toList();
	}

	/**
	 * A page of the rollout's stores in wave order, all or those in {@code state}.
	 */
	public List<Rollout.Store> stores(UUID id, RolloutStoreState state, int limit, int offset) {
		return this.jdbc
			.sql("select cluster, database_name, schema_name, wave, state, tries, took_ms, error, ended_at"
					+ " from migration_rollout_store where rollout_id = ? and (?::text is null or state = ?)"
					+ " order by wave, cluster, database_name, schema_name limit ? offset ?")
			.params(id, (state != null) ? state.name() : null, (state != null) ? state.name() : null, limit, offset)
			.query((rs, i) -> new Rollout.Store(
					new StoreKey(rs.getString(1), rs.getString(2), rs.getString(3)).toString(), rs.getInt(4),
					RolloutStoreState.valueOf(rs.getString(5)), rs.getInt(6), (Long) rs.getObject(7), rs.getString(8),
					rs.getObject(9, OffsetDateTime.class)))
			.list();
	}

	/** Looks for a running rollout at once rather than at the next poll. */
	private void wake() {
		if (!this.closed) {
			try {
				this.scheduler.execute(this::carryOutRunning);
			}
			catch (java.util.concurrent.RejectedExecutionException ex) {
				// Closing.
			}
		}
	}

	/**
	 * Carries out the running rollout if this instance is at its version and takes its
	 * lock.
	 */
	private void carryOutRunning() {
		if (this.closed || this.current != null) {
			return;
		}
		try {
			Optional<Open> running = this.jdbc
				.sql("select rollout_id, target_version from migration_rollout where state = 'RUNNING'")
				.query((rs, i) -> new Open(rs.getObject(1, UUID.class), rs.getString(2)))
				.optional();
			if (running.isEmpty()) {
				return;
			}
			UUID id = running.get().id();
			String ours = this.migrator.migrations().latestVersion();
			if (!running.get().target().equals(ours)) {
				if (!id.equals(this.warnedAbout)) {
					this.warnedAbout = id;
					log.warn("Rollout {} brings stores to version {}; this instance runs {} and leaves it to others",
							id, running.get().target(), ours);
				}
				return;
			}
			try (Connection lock = this.locks.getConnection()) {
				lock.setSchema(TenancyBootstrap.CONTROL_SCHEMA);
				if (!tryLock(lock)) {
					return;
				}
				try {
					RolloutRun run = new RolloutRun(id, lock, this.jdbc, this.controlTx, this.placements, this.migrator,
							this.properties, this::find);
					this.current = run;
					run.carryOut();
				}
				finally {
					this.current = null;
					unlock(lock);
				}
			}
		}
		catch (RuntimeException | SQLException ex) {
			log.warn("Rollouts: could not carry out the running rollout: {}", ex.toString());
		}
	}

	private boolean tryLock(Connection con) throws SQLException {
		try (PreparedStatement ps = con.prepareStatement("select pg_try_advisory_lock(hashtext(?))")) {
			ps.setString(1, this.lockName);
			try (ResultSet rs = ps.executeQuery()) {
				rs.next();
				return rs.getBoolean(1);
			}
		}
	}

	private void unlock(Connection con) {
		try (PreparedStatement ps = con.prepareStatement("select pg_advisory_unlock(hashtext(?))")) {
			ps.setString(1, this.lockName);
			ps.execute();
		}
		catch (SQLException ex) {
			// The connection is gone, and its lock with it.
			log.debug("Rollout lock not released: {}", ex.toString());
		}
	}

	/** Marks an open rollout of an older version superseded; refuses over any other. */
	private void supersedeOpen(String target, UUID by) {
		Optional<Open> open = this.jdbc
			.sql("select rollout_id, target_version from migration_rollout"
					+ " where state in ('RUNNING', 'PAUSED', 'HALTED') for update")
			.query((rs, i) -> new Open(rs.getObject(1, UUID.class), rs.getString(2)))
			.optional();
		if (open.isEmpty()) {
			return;
		}
		if (PlacementMigrator.compareVersions(open.get().target(), target) >= 0) {
			throw new RolloutConflictException("Rollout " + open.get().id() + " of version " + open.get().target()
					+ " is open: resume it, or wait for it to end");
		}
		this.jdbc
			.sql("update migration_rollout set state = 'SUPERSEDED', reason = ?, updated_at = now(),"
					+ " ended_at = now() where rollout_id = ?")
			.params("superseded by rollout " + by + " of version " + target, open.get().id())
			.update();
		log.info("Rollout {} of version {} superseded by one of version {}", open.get().id(), open.get().target(),
				target);
	}

	private void insertStores(UUID id, List<List<StoreKey>> waves) {
		int count = waves.stream().mapToInt(List::size).sum();
		String[] clusters = new String[count];
		String[] databases = new String[count];
		String[] schemas = new String[count];
		Integer[] numbers = new Integer[count];
		int i = 0;
		for (int wave = 0; wave < waves.size(); wave++) {
			for (StoreKey key : waves.get(wave)) {
				clusters[i] = key.cluster();
				databases[i] = key.database();
				schemas[i] = key.schema();
				numbers[i++] = wave;
			}
		}
		if (count == 0) {
			return;
		}
		this.jdbc
			.sql("insert into migration_rollout_store (rollout_id, cluster, database_name, schema_name, wave, state)"
					+ " select ?, c, d, s, w, 'PENDING' from unnest(?::text[], ?::text[], ?::text[], ?::int[])"
					+ " as t(c, d, s, w)")
			.params(id, clusters, databases, schemas, numbers)
			.update();
	}

	private Optional<RolloutState> lockedState(UUID id) {
		return this.jdbc.sql("select state from migration_rollout where rollout_id = ? for update")
			.param(id)
			.query((rs, i) -> RolloutState.valueOf(rs.getString(1)))
			.optional();
	}

	private void setState(UUID id, RolloutState state, String reason) {
		this.jdbc.sql("update migration_rollout set state = ?, reason = ?, updated_at = now() where rollout_id = ?")
			.params(state.name(), reason, id)
			.update();
	}

	private static Rollout row(ResultSet rs, int row) throws SQLException {
		return new Rollout(rs.getObject("rollout_id", UUID.class), rs.getString("target_version"),
				RolloutState.valueOf(rs.getString("state")), rs.getInt("canary"), rs.getInt("batch_size"),
				rs.getDouble("max_failure_rate"), rs.getString("reason"), 0, null, null, null, null,
				rs.getObject("created_at", OffsetDateTime.class), rs.getObject("updated_at", OffsetDateTime.class),
				rs.getObject("ended_at", OffsetDateTime.class));
	}

	/** The rollout with its stores counted, its waves and its migrations' times. */
	private Rollout withFigures(Rollout r) {
		return this.jdbc.sql("""
				select count(*), count(*) filter (where state = 'PENDING'), count(*) filter (where state = 'MIGRATED'),
				  count(*) filter (where state = 'FAILED'), count(*) filter (where state = 'BUSY'),
				  count(*) filter (where state = 'GONE'), coalesce(max(wave) + 1, 0),
				  min(wave) filter (where state = 'PENDING'),
				  percentile_disc(0.99) within group (order by took_ms) filter (where state = 'MIGRATED'),
				  max(took_ms) filter (where state = 'MIGRATED')
				from migration_rollout_store where rollout_id = ?""")
			.param(r.id())
			.query((f, i) -> new Rollout(r.id(), r.targetVersion(), r.state(), r.canary(), r.batchSize(),
					r.maxFailureRate(), r.reason(), f.getInt(7), (Integer) f.getObject(8),
					new Rollout.Stores(f.getInt(1), f.getInt(2), f.getInt(3), f.getInt(4), f.getInt(5), f.getInt(6)),
					(Long) f.getObject(9), (Long) f.getObject(10), r.createdAt(), r.updatedAt(), r.endedAt()))
			.single();
	}

	private record Open(UUID id, String target) {
	}

}
