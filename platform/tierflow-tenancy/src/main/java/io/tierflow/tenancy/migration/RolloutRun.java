package io.tierflow.tenancy.migration;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.tierflow.tenancy.TenancyProperties;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementStore;
import io.tierflow.tenancy.placement.StoreKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One instance's carrying out of a rollout, from its first wave with a store not yet
 * tried: the stores of a wave in parallel, the busy ones again after the last wave.
 */
final class RolloutRun {

	private static final Logger log = LoggerFactory.getLogger(RolloutRun.class);

	private final UUID id;

	/** Holds the rollout's lock; the rollout's state is read through it. */
	private final Connection lock;

	private final JdbcClient jdbc;

	private final TransactionTemplate controlTx;

	private final PlacementRepository placements;

	private final PlacementMigrator migrator;

	private final TenancyProperties properties;

	private final Function<UUID, Optional<Rollout>> find;

	private final AtomicBoolean stop = new AtomicBoolean();

	private final AtomicInteger migrated = new AtomicInteger();

	private final AtomicInteger failed = new AtomicInteger();

	private final AtomicInteger tried = new AtomicInteger();

	private int canary;

	private double maxFailureRate;

	private long started;

	private int total;

	RolloutRun(UUID id, Connection lock, JdbcClient jdbc, TransactionTemplate controlTx, PlacementRepository placements,
			PlacementMigrator migrator, TenancyProperties properties, Function<UUID, Optional<Rollout>> find) {
		this.id = id;
		this.lock = lock;
		this.jdbc = jdbc;
		this.controlTx = controlTx;
		this.placements = placements;
		this.migrator = migrator;
		this.properties = properties;
		this.find = find;
	}

	UUID id() {
		return this.id;
	}

	/** Starts no more stores; those in flight end. */
	void stop() {
		this.stop.set(true);
	}

	void carryOut() throws SQLException {
		Rollout rollout = this.find.apply(this.id).orElseThrow();
		this.canary = rollout.canary();
		this.maxFailureRate = rollout.maxFailureRate();
		this.migrated.set(rollout.stores().migrated());
		this.failed.set(rollout.stores().failed());
		this.total = rollout.stores().total();
		this.started = System.nanoTime();
		log.info("Rollout {} of version {}: carrying it out here from wave {} of {} ({} of {} stores left)", this.id,
				rollout.targetVersion(), rollout.wave(), rollout.waves(), rollout.stores().pending(), this.total);
		int parallelism = this.properties.migration().parallelism();
		ExecutorService workers = Executors.newFixedThreadPool(parallelism, (r) -> {
			Thread thread = new Thread(r, "tierflow-rollout-worker");
			thread.setDaemon(true);
			return thread;
		});
		try {
			int retries = this.properties.migration().lockRetries();
			while (!this.stop.get() && state() == RolloutState.RUNNING) {
				Integer wave = this.jdbc
					.sql("select min(wave) from migration_rollout_store where rollout_id = ? and state = 'PENDING'")
					.param(this.id)
					.query(Integer.class)
					.optional()
					.orElse(null);
				List<StoreKey> stores = (wave != null) ? storesIn(wave, "PENDING", Integer.MAX_VALUE)
						: storesIn(null, "BUSY", retries);
				if (stores.isEmpty()) {
					complete();
					return;
				}
				if (wave == null) {
					log.info("Rollout {}: trying {} busy stores again", this.id, stores.size());
				}
				run(workers, stores);
				if (wave != null && wave == 0 && !this.stop.get() && tooManyFailed(1)) {
					halt();
				}
			}
			log.info("Rollout {} stopped here: it is {}", this.id, state());
		}
		finally {
			workers.shutdownNow();
			try {
				workers.awaitTermination(1, TimeUnit.MINUTES);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * The stores of {@code wave} (all waves if null) in {@code state}, busy ones only
	 * while they have tries left.
	 */
	private List<StoreKey> storesIn(Integer wave, String state, int maxTries) {
		return this.jdbc
			.sql("select cluster, database_name, schema_name from migration_rollout_store"
					+ " where rollout_id = ? and (?::int is null or wave = ?) and state = ? and tries <= ?"
					+ " order by cluster, database_name, schema_name")
			.params(this.id, wave, wave, state, maxTries)
			.query((rs, i) -> new StoreKey(rs.getString(1), rs.getString(2), rs.getString(3)))
			.list();
	}

	/**
	 * Migrates {@code stores} on the workers, reading the rollout's state while they work
	 * so that a pause or a halt stops the stores not yet started.
	 */
	private void run(ExecutorService workers, List<StoreKey> stores) throws SQLException {
		List<Future<?>> futures = new ArrayList<>(stores.size());
		for (StoreKey store : stores) {
			futures.add(workers.submit(() -> migrate(store)));
		}
		for (Future<?> future : futures) {
			while (true) {
				try {
					future.get(500, TimeUnit.MILLISECONDS);
					break;
				}
				catch (TimeoutException ex) {
					if (state() != RolloutState.RUNNING) {
						this.stop.set(true);
					}
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					this.stop.set(true);
					return;
				}
				catch (ExecutionException ex) {
					log.warn("Rollout {}: a store's worker failed: {}", this.id, ex.getCause().toString());
					break;
				}
			}
		}
	}

	private void migrate(StoreKey key) {
		if (this.stop.get()) {
			return;
		}
		Optional<PlacementStore> store = this.controlTx.execute((s) -> this.placements.findStore(key));
		if (store.isEmpty()) {
			record(key, RolloutStoreState.GONE, null, "the store no longer exists");
			return;
		}
		long start = System.nanoTime();
		try {
			this.migrator.migrate(store.get());
			record(key, RolloutStoreState.MIGRATED, (System.nanoTime() - start) / 1_000_000, null);
			this.migrated.incrementAndGet();
		}
		catch (StoreMigrationException ex) {
			long took = (System.nanoTime() - start) / 1_000_000;
			if (ex.lockTimedOut()) {
				record(key, RolloutStoreState.BUSY, took, ex.reason());
			}
			else {
				record(key, RolloutStoreState.FAILED, took, ex.reason());
				this.failed.incrementAndGet();
				log.warn("Rollout {}: store {} failed: {}", this.id, key, ex.reason());
			}
		}
		int n = this.tried.incrementAndGet();
		if (n % 100 == 0) {
			double seconds = (System.nanoTime() - this.started) / 1e9;
			log.info("Rollout {}: {} stores tried here ({}/s), {} of {} migrated, {} failed", this.id, n,
					String.format("%.0f", n / seconds), this.migrated.get(), this.total, this.failed.get());
		}
		if (!this.stop.get() && tooManyFailed(this.canary)) {
			halt();
		}
	}

	/**
	 * Whether failed stores are above the rate, once at least {@code atLeast} stores were
	 * tried to an end.
	 */
	private boolean tooManyFailed(int atLeast) {
		int failures = this.failed.get();
		int done = this.migrated.get() + failures;
		return done >= atLeast && failures > 0 && failures > this.maxFailureRate * done;
	}

	private void halt() {
		int failures = this.failed.get();
		int done = this.migrated.get() + failures;
		String reason = String.format("%d of %d stores tried failed (%.1f%%), above the rollout's %.1f%%", failures,
				done, 100.0 * failures / done, 100 * this.maxFailureRate);
		this.stop.set(true);
		int halted = this.jdbc
			.sql("update migration_rollout set state = 'HALTED', reason = ?, updated_at = now()"
					+ " where rollout_id = ? and state = 'RUNNING'")
			.params(reason, this.id)
			.update();
		if (halted > 0) {
			log.warn("Rollout {} halted: {}", this.id, reason);
		}
	}

	private void complete() {
		Rollout rollout = this.find.apply(this.id).orElseThrow();
		Rollout.Stores s = rollout.stores();
		String reason = String.format("%d stores migrated, %d failed, %d still busy, %d gone", s.migrated(), s.failed(),
				s.busy(), s.gone());
		this.jdbc
			.sql("update migration_rollout set state = 'COMPLETED', reason = ?, updated_at = now(),"
					+ " ended_at = now() where rollout_id = ? and state = 'RUNNING'")
			.params(reason, this.id)
			.update();
		log.info("Rollout {} completed in {} s here: {}", this.id,
				String.format("%.1f", (System.nanoTime() - this.started) / 1e9), reason);
	}

	private void record(StoreKey key, RolloutStoreState state, Long tookMs, String error) {
		this.jdbc
			.sql("update migration_rollout_store set state = ?, tries = tries + 1, took_ms = ?, error = ?,"
					+ " ended_at = now() where rollout_id = ? and cluster = ? and database_name = ?"
					+ " and schema_name = ?")
			.params(state.name(), tookMs, error, this.id, key.cluster(), key.database(), key.schema())
			.update();
	}

	/**
	 * The rollout's state, read through the connection that holds its lock: if that
	 * connection is gone, so is the lock, and this instance stops.
	 */
	private RolloutState state() throws SQLException {
		try (PreparedStatement ps = this.lock
			.prepareStatement("select state from migration_rollout where rollout_id = ?")) {
			ps.setObject(1, this.id);
			try (ResultSet rs = ps.executeQuery()) {
				return rs.next() ? RolloutState.valueOf(rs.getString(1)) : RolloutState.SUPERSEDED;
			}
		}
	}

}
