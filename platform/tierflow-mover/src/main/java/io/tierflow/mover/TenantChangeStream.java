package io.tierflow.mover;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import io.debezium.engine.DebeziumEngine;
import io.debezium.embedded.Connect;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies one tenant's rows from a source store to a target store and keeps streaming
 * every later change, with the Debezium embedded engine on the source's WAL: pgoutput, a
 * replication slot of the move's own and a publication filtered on {@code tenant_id}, so
 * no other tenant's change leaves the source. The tenant's rows are first copied as of
 * the slot's consistent point ({@link InitialCopy}: COPY piped into COPY); from there
 * every committed change is streamed and applied in commit order ({@link ChangeApplier})
 * with the position stored alongside, so that a restart — after a crash too — resumes
 * where the target is. Heartbeats keep the slot moving while the tenant is quiet, so it
 * does not pin the source's WAL.
 */
public final class TenantChangeStream implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(TenantChangeStream.class);

	private static final String FENCE_NAME = ChangeApplier.FENCE_SCHEMA + "." + ChangeApplier.FENCE_TABLE;

	private static final String FENCE = Sql.quote(ChangeApplier.FENCE_SCHEMA) + "."
			+ Sql.quote(ChangeApplier.FENCE_TABLE);

	private static final String HEARTBEAT_PREFIX = "tierflow-mover-heartbeat";

	private final UUID move;

	private final UUID tenant;

	private final Store source;

	private final Store target;

	private final List<TenantTable> tables;

	private final Duration heartbeat;

	private final String name;

	private final AtomicLong applied = new AtomicLong();

	private final AtomicReference<Throwable> failure = new AtomicReference<>();

	private ExecutorService runner;

	private volatile ChangeApplier applier;

	private Connection targetCon;

	/** Notified after every applied batch and when the stream fails. */
	private final Object progress = new Object();

	/** The engine, once the copy is over and it runs. */
	private DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;

	private volatile boolean copied;

	private volatile boolean closing;

	/** Open once the engine's task runs (or the engine ended): only then may it stop. */
	private final CountDownLatch engineStarted = new CountDownLatch(1);

	/**
	 * @param move the move's id: names its slot and publication, keys its position
	 * @param tenant the tenant whose rows move
	 * @param source where they are (its schema's tenant tables move)
	 * @param target where they go, already migrated to the source's version
	 * @param heartbeat how often the engine reports its position while nothing changes
	 */
	public TenantChangeStream(UUID move, UUID tenant, Store source, Store target, Duration heartbeat)
			throws SQLException {
		this.move = move;
		this.tenant = tenant;
		this.source = source;
		this.target = target;
		this.heartbeat = heartbeat;
		this.name = captureName(move);
		try (Connection con = source.connect()) {
			this.tables = TenantTable.of(con, source.schema());
		}
		if (this.tables.isEmpty()) {
			throw new IllegalStateException("No tenant tables in " + source.schema() + " of " + source.jdbcUrl());
		}
	}

	/** Name of the replication slot and of the publication of a move. */
	public static String captureName(UUID move) {
		return "tierflow_mv_" + move.toString().replace("-", "");
	}

	/** The tables that move, by name. */
	public List<String> tables() {
		return this.tables.stream().map(TenantTable::name).toList();
	}

	/**
	 * Creates the publication (if missing) and starts copying and streaming: a fresh move
	 * first copies the tenant's rows ({@link InitialCopy}), a resumed one streams on from
	 * the position stored in the target.
	 */
	public synchronized void start() throws SQLException {
		if (this.runner != null) {
			throw new IllegalStateException("Already started");
		}
		boolean resumed;
		try (Connection con = this.target.connect()) {
			AppliedPosition.ensureTable(con);
			Optional<AppliedPosition.Stored> stored = AppliedPosition.load(con, this.move);
			resumed = stored.isPresent();
			this.applied.set(stored.map(AppliedPosition.Stored::events).orElse(0L));
		}
		createPublication();
		ChangeApplier applier = new ChangeApplier(this.move, this.tenant, this.name, this.target, this.tables);
		this.applier = applier;
		DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine
			.create(ChangeEventFormat.of(Connect.class))
			.using(properties())
			.notifying((records, committer) -> {
				List<SourceRecord> batch = new ArrayList<>(records.size());
				records.forEach((r) -> batch.add(r.record()));
				applyBatch(applier, batch);
				for (RecordChangeEvent<SourceRecord> r : records) {
					committer.markProcessed(r);
				}
				committer.markBatchFinished();
			})
			.using((success, message, error) -> {
				if (!success) {
					fail((error != null) ? error : new IllegalStateException(message));
					log.warn("Move {}: change stream stopped: {}", this.move, message, error);
				}
				this.engineStarted.countDown();
			})
			.using(new DebeziumEngine.ConnectorCallback() {
				@Override
				public void taskStarted() {
					TenantChangeStream.this.engineStarted.countDown();
				}
			})
			.build();
		this.runner = Executors.newSingleThreadExecutor((r) -> new Thread(r, "tierflow-mover-" + this.name));
		this.runner.execute(() -> {
			try {
				if (!resumed) {
					InitialCopy.run(this.move, this.tenant, this.name, this.source, this.target, this.tables, this.name,
							this.applied::set, () -> this.closing);
				}
				synchronized (this) {
					if (this.closing) {
						return;
					}
					this.engine = engine;
					this.copied = true;
				}
				signal();
				engine.run();
			}
			catch (SQLException | RuntimeException ex) {
				fail(ex);
				log.warn("Move {}: copying the tenant's rows failed: {}", this.move, ex.toString());
			}
		});
		log.info("Move {}: {} tenant {} from {}/{} to {}/{} ({} tables), {} changes applied before", this.move,
				resumed ? "streaming" : "copying and streaming", this.tenant, this.source.database(),
				this.source.schema(), this.target.database(), this.target.schema(), this.tables.size(),
				this.applied.get());
	}

	private void fail(Throwable error) {
		this.failure.compareAndSet(null, error);
		signal();
	}

	private void signal() {
		synchronized (this.progress) {
			this.progress.notifyAll();
		}
	}

	private void applyBatch(ChangeApplier applier, List<SourceRecord> batch) throws InterruptedException {
		try {
			Connection con = targetConnection();
			int rows = applier.apply(con, batch);
			con.commit();
			applier.committed();
			this.applied.addAndGet(rows);
		}
		catch (SQLException ex) {
			applier.rolledBack();
			closeTargetConnection();
			this.failure.compareAndSet(null, ex);
			throw new IllegalStateException("Move " + this.move + ": applying changes to the target failed", ex);
		}
		signal();
	}

	/**
	 * The applier's connection to the target, kept across batches (only the engine's
	 * thread uses it); inserts are sent as multi-row statements.
	 */
	private Connection targetConnection() throws SQLException {
		if (this.targetCon == null) {
			Properties props = new Properties();
			props.setProperty("user", this.target.username());
			props.setProperty("password", this.target.password());
			props.setProperty("reWriteBatchedInserts", "true");
			this.targetCon = DriverManager.getConnection(this.target.jdbcUrl(), props);
			this.targetCon.setAutoCommit(false);
		}
		return this.targetCon;
	}

	private void closeTargetConnection() {
		if (this.targetCon != null) {
			try {
				this.targetCon.close();
			}
			catch (SQLException ex) {
				log.debug("Closing the target connection of move {} failed", this.move, ex);
			}
			this.targetCon = null;
		}
	}

	/** Row changes applied to the target so far (snapshot rows included). */
	public long appliedChanges() {
		return this.applied.get();
	}

	/** Whether the initial copy is over and the stream is applying later changes. */
	public boolean streaming() {
		return this.copied;
	}

	/**
	 * Epoch of the last fence mark ({@code tierflow_fence.moved}) applied in order, if
	 * any: once it is the move's, the target holds everything the tenant committed before
	 * the fence.
	 */
	public Long fenceSeen() {
		ChangeApplier a = this.applier;
		return (a != null) ? a.fenceSeen() : null;
	}

	/**
	 * When the mark of {@code epoch} is applied, commits right there and runs
	 * {@code action} on the engine's thread before applying anything after it.
	 */
	void pinAt(long epoch, ChangeApplier.SqlAction action) {
		ChangeApplier a = this.applier;
		if (a == null) {
			throw new IllegalStateException("Not started");
		}
		a.pinAt(new ChangeApplier.Pin(epoch, action));
	}

	List<TenantTable> tenantTables() {
		return this.tables;
	}

	/**
	 * Waits until the fence mark of {@code epoch} is applied, the stream fails, or the
	 * time is up.
	 * @return whether the mark was applied
	 */
	public boolean awaitFenceSeen(long epoch, Duration within) throws InterruptedException {
		long deadline = System.nanoTime() + within.toNanos();
		synchronized (this.progress) {
			while (!Long.valueOf(epoch).equals(fenceSeen()) && this.failure.get() == null) {
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					return false;
				}
				TimeUnit.NANOSECONDS.timedWait(this.progress, left);
			}
			return Long.valueOf(epoch).equals(fenceSeen());
		}
	}

	/** The error that stopped the stream, if one did. */
	public Throwable failure() {
		return this.failure.get();
	}

	/**
	 * Stops the copy or the engine; the slot, the publication and the applied position
	 * stay.
	 */
	@Override
	public void close() {
		DebeziumEngine<RecordChangeEvent<SourceRecord>> running;
		synchronized (this) {
			if (this.runner == null || this.closing) {
				return;
			}
			this.closing = true;
			running = this.engine;
		}
		if (running != null) {
			try {
				// The engine refuses to stop while its task is starting.
				if (!this.engineStarted.await(30, TimeUnit.SECONDS)) {
					log.warn("Move {}: the change stream did not start within 30 s; stopping it anyway", this.move);
				}
				running.close();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			catch (Exception ex) {
				log.warn("Move {}: stopping the change stream failed", this.move, ex);
			}
		}
		this.runner.shutdown();
		try {
			if (!this.runner.awaitTermination(30, TimeUnit.SECONDS)) {
				log.warn("Move {}: the change stream did not stop within 30 s", this.move);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		closeTargetConnection();
	}

	/**
	 * Drops the move's replication slot and publication from the source and its position
	 * from the target: after success or abort, and for orphans at start-up.
	 */
	public static void dropCapture(Store source, Store target, UUID move) throws SQLException {
		String name = captureName(move);
		try (Connection con = source.connect(); Statement st = con.createStatement()) {
			st.execute("drop publication if exists " + name);
			try (PreparedStatement ps = con.prepareStatement(
					"select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = ?")) {
				ps.setString(1, name);
				ps.execute();
			}
		}
		if (target != null) {
			try (Connection con = target.connect()) {
				AppliedPosition.delete(con, move);
			}
		}
	}

	private void createPublication() throws SQLException {
		try (Connection con = this.source.connect(); Statement st = con.createStatement()) {
			try (ResultSet rs = st.executeQuery("select 1 from pg_publication where pubname = '" + this.name + "'")) {
				if (rs.next()) {
					return;
				}
			}
			// Row filters (PostgreSQL 15): only this tenant's changes are decoded and
			// sent.
			// The tenant id is a UUID: nothing to escape.
			// The tenant's fence marks travel in the same stream: seeing the move's mark
			// applied proves everything before it is.
			List<String> qualified = new ArrayList<>();
			this.tables.forEach((t) -> qualified.add(this.source.qualified(t.name())));
			qualified.add(FENCE);
			String tables = qualified.stream()
				.map((t) -> t + " where (tenant_id = '" + this.tenant + "')")
				.collect(Collectors.joining(", "));
			st.execute("create publication " + this.name + " for table " + tables);
		}
	}

	private Properties properties() {
		Properties p = new Properties();
		p.setProperty("name", this.name);
		p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
		p.setProperty("offset.storage", AppliedOffsetStore.class.getName());
		p.setProperty("offset.flush.interval.ms", "1000");
		p.setProperty(AppliedOffsetStore.TARGET_URL, this.target.jdbcUrl());
		p.setProperty(AppliedOffsetStore.TARGET_USER, this.target.username());
		p.setProperty(AppliedOffsetStore.TARGET_PASSWORD, this.target.password());
		p.setProperty(AppliedOffsetStore.MOVE_ID, this.move.toString());
		p.setProperty("database.hostname", this.source.host());
		p.setProperty("database.port", String.valueOf(this.source.port()));
		p.setProperty("database.user", this.source.username());
		p.setProperty("database.password", this.source.password());
		p.setProperty("database.dbname", this.source.database());
		p.setProperty("topic.prefix", this.name);
		p.setProperty("plugin.name", "pgoutput");
		p.setProperty("slot.name", this.name);
		p.setProperty("publication.name", this.name);
		p.setProperty("publication.autocreate.mode", "disabled");
		// The rows are copied by InitialCopy; the engine only streams, from the position
		// stored with them.
		p.setProperty("snapshot.mode", "no_data");
		List<String> names = new ArrayList<>();
		this.tables.forEach((t) -> names.add(this.source.schema() + "." + t.name()));
		names.add(FENCE_NAME);
		p.setProperty("table.include.list",
				names.stream().map((n) -> n.replace(".", "\\.")).collect(Collectors.joining(",")));
		p.setProperty("heartbeat.interval.ms", String.valueOf(this.heartbeat.toMillis()));
		// A quiet tenant in a busy store: the filter lets nothing through, so nothing
		// would move the slot and the source would keep all its WAL for the move. Each
		// heartbeat writes a logical message (not bound to any table or publication); its
		// position is confirmed like a change's, and the message itself is dropped.
		p.setProperty("heartbeat.action.query",
				"select pg_logical_emit_message(false, '" + HEARTBEAT_PREFIX + "', '')");
		p.setProperty("message.prefix.exclude.list", HEARTBEAT_PREFIX);
		p.setProperty("decimal.handling.mode", "string");
		p.setProperty("time.precision.mode", "adaptive_time_microseconds");
		p.setProperty("interval.handling.mode", "string");
		p.setProperty("tombstones.on.delete", "false");
		p.setProperty("unavailable.value.placeholder", ChangeApplier.UNAVAILABLE);
		p.setProperty("errors.max.retries", "3");
		// Hand changes over as they come rather than every half second (the default): the
		// lag at cutover is what writers wait for.
		p.setProperty("poll.interval.ms", "20");
		// Bigger batches while catching up: fewer, larger target transactions.
		p.setProperty("max.batch.size", "8192");
		p.setProperty("max.queue.size", "32768");
		return p;
	}

	@Override
	public String toString() {
		return String.format(Locale.ROOT, "move %s of tenant %s (%s)", this.move, this.tenant, this.name);
	}

	/** Checksums of the moving tenant's rows, source and target, by table. */
	public Map<String, TableChecksum> sourceChecksums() throws SQLException {
		return TableChecksum.of(this.source, this.tables, this.tenant);
	}

	public Map<String, TableChecksum> targetChecksums() throws SQLException {
		return TableChecksum.of(this.target, this.tables, this.tenant);
	}

}
