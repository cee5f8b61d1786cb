package io.tierflow.events.outbox;

import java.net.URI;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import javax.sql.DataSource;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.tracing.Span;
import io.tierflow.events.tracing.EventTraces;
import io.tierflow.tenancy.placement.StoreProbe;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.postgresql.PGStatement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Moves committed outbox rows to Kafka as CloudEvents (binary mode, key = tenant id),
 * oldest first, and deletes them once the broker acknowledged them. Woken right after
 * each commit for the outbox written to, and sweeps every outbox periodically for what
 * other instances or a crash left. One relay at a time drains an outbox (advisory lock),
 * so per-tenant order holds across instances; a crash between publish and delete
 * republishes, and consumers drop the duplicate by event id. A row written inside a trace
 * is published in a child span of it, whose context the record carries in its
 * {@value EventTraces#TRACEPARENT} header ({@link EventTraces}).
 *
 * <p>
 * Each sweep also measures what waits: the rows not relayed yet ({@value #BACKLOG}) and
 * the age of the oldest of them ({@value #LAG}), over every outbox, served to the meter
 * registry until the next sweep.
 */
public class OutboxRelay implements SmartLifecycle, MeterBinder {

	/** Rows in the outboxes not relayed yet, as the last sweep counted them. */
	public static final String BACKLOG = "tierflow.outbox.backlog";

	/** How long the oldest row not relayed yet had waited at the last sweep. */
	public static final String LAG = "tierflow.outbox.lag";

	/** Events published since the start. */
	public static final String RELAYED = "tierflow.outbox.relayed";

	/**
	 * Rows of one outbox a sweep counts at most: a backlog of millions (the broker down
	 * for hours) is then still counted in a few milliseconds per outbox, by the index.
	 */
	static final int BACKLOG_COUNT_LIMIT = 10_000;

	private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

	/** Outboxes in pooled databases a sweep probes unless told otherwise. */
	public static final int DEFAULT_OUTBOXES_PER_SWEEP = 2_000;

	/** Cold outboxes a sweep probes unless told otherwise. */
	public static final int DEFAULT_COLD_PER_SWEEP = 5;

	/** Outboxes of one database a sweep probes with one statement. */
	static final int PROBE_CHUNK = StoreProbe.CHUNK;

	private final URI source;

	private final Producer<String, CloudEvent> producer;

	private final Supplier<Collection<OutboxLocation>> locations;

	private final Duration sweepInterval;

	private final int batchSize;

	private final int workers;

	private final LinkedBlockingQueue<OutboxLocation> woken = new LinkedBlockingQueue<>();

	private final Set<String> queued = ConcurrentHashMap.newKeySet();

	private final Set<String> draining = ConcurrentHashMap.newKeySet();

	private final Set<String> dirty = ConcurrentHashMap.newKeySet();

	/** Outboxes in pooled databases a sweep probes at most, in turn. */
	private final int outboxesPerSweep;

	/** Cold outboxes a sweep probes at most, in turn ({@link OutboxLocation#cold()}). */
	private final int coldPerSweep;

	/** Where the next sweep's turns start: over the warm outboxes, over the cold ones. */
	private final int[] cursors = new int[2];

	/**
	 * What each outbox still held after its last probe and drain, by name; the backlog is
	 * their sum.
	 */
	private final Map<String, Waiting> seen = new ConcurrentHashMap<>();

	private final AtomicLong relayed = new AtomicLong();

	private volatile ExecutorService threads;

	private volatile boolean running;

	private volatile long nextSweep;

	private volatile Backlog backlog = new Backlog(0, 0);

	private final EventTraces traces;

	/**
	 * A relay that sends no trace context.
	 * @param source CloudEvents source of this service, like {@code //tierflow/billing}
	 * @param locations every outbox this instance should sweep
	 */
	public OutboxRelay(URI source, Producer<String, CloudEvent> producer,
			Supplier<Collection<OutboxLocation>> locations, Duration sweepInterval, int batchSize, int workers) {
		this(source, producer, locations, sweepInterval, batchSize, workers, EventTraces.NONE);
	}

	/**
	 * @param source CloudEvents source of this service, like {@code //tierflow/billing}
	 * @param locations every outbox this instance should sweep
	 * @param traces continues each row's stored trace context in its record
	 */
	public OutboxRelay(URI source, Producer<String, CloudEvent> producer,
			Supplier<Collection<OutboxLocation>> locations, Duration sweepInterval, int batchSize, int workers,
			EventTraces traces) {
		this(source, producer, locations, sweepInterval, batchSize, workers, DEFAULT_OUTBOXES_PER_SWEEP,
				DEFAULT_COLD_PER_SWEEP, traces);
	}

	/**
	 * @param source CloudEvents source of this service, like {@code //tierflow/billing}
	 * @param locations every outbox this instance should sweep
	 * @param outboxesPerSweep outboxes in pooled databases a sweep probes at most, in
	 * turn (the control database's every time)
	 * @param coldPerSweep cold outboxes a sweep probes at most, in turn
	 * @param traces continues each row's stored trace context in its record
	 */
	public OutboxRelay(URI source, Producer<String, CloudEvent> producer,
			Supplier<Collection<OutboxLocation>> locations, Duration sweepInterval, int batchSize, int workers,
			int outboxesPerSweep, int coldPerSweep, EventTraces traces) {
		this.outboxesPerSweep = outboxesPerSweep;
		this.coldPerSweep = coldPerSweep;
		this.traces = traces;
		this.source = source;
		this.producer = producer;
		this.locations = locations;
		this.sweepInterval = sweepInterval;
		this.batchSize = batchSize;
		this.workers = workers;
	}

	/** Asks for the outbox to be drained soon; cheap and safe to call often. */
	public void wake(OutboxLocation location) {
		this.dirty.add(location.name());
		if (this.queued.add(location.name())) {
			this.woken.add(location);
		}
	}

	/** Events published since start. */
	public long relayed() {
		return this.relayed.get();
	}

	/** What waited in the outboxes at the last sweep. */
	public Backlog backlog() {
		return this.backlog;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder(BACKLOG, this, (r) -> r.backlog.rows())
			.description("Rows in the outboxes not relayed yet, as the last sweep counted them (up to "
					+ BACKLOG_COUNT_LIMIT + " per outbox)")
			.strongReference(true)
			.register(registry);
		Gauge.builder(LAG, this, (r) -> r.backlog.oldestSeconds())
			.description("How long the oldest row not relayed yet had waited at the last sweep")
			.baseUnit("seconds")
			.strongReference(true)
			.register(registry);
		FunctionCounter.builder(RELAYED, this, OutboxRelay::relayed)
			.description("Events published to Kafka from the outboxes")
			.register(registry);
	}

	/**
	 * Drains one outbox now, on the caller's thread.
	 * @return events published
	 */
	public int drain(OutboxLocation location) {
		String name = location.name();
		if (!this.draining.add(name)) {
			// Another worker of this instance drains it; the dirty mark makes it look
			// again.
			return 0;
		}
		int total = 0;
		try {
			int n;
			do {
				this.dirty.remove(name);
				try {
					n = drainBatch(location);
				}
				catch (Exception ex) {
					if (gone(ex)) {
						// A move dropped this store (or has not made it yet); the
						// locations are re-listed on the next sweep.
						log.debug("Outbox {} is gone: {}", name, ex.toString());
					}
					else {
						log.warn("Outbox {} not relayed yet: {}", name, ex.toString());
					}
					return total;
				}
				total += n;
			}
			while (n == this.batchSize);
			return total;
		}
		finally {
			this.draining.remove(name);
			if (this.dirty.contains(name) && this.running) {
				wake(location);
			}
		}
	}

	/** Releases the producer; the relay cannot start again afterwards. */
	public void close() {
		stop();
		this.producer.close(Duration.ofSeconds(5));
	}

	@Override
	public void start() {
		this.running = true;
		this.nextSweep = System.nanoTime();
		this.threads = Executors.newFixedThreadPool(this.workers, (r) -> {
			Thread t = new Thread(r, "tierflow-outbox-relay");
			t.setDaemon(true);
			return t;
		});
		for (int i = 0; i < this.workers; i++) {
			this.threads.submit(this::loop);
		}
	}

	@Override
	public void stop() {
		this.running = false;
		ExecutorService t = this.threads;
		if (t != null) {
			t.shutdownNow();
			try {
				t.awaitTermination(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		// Start after the consumers' bindings, stop before the DataSources close.
		return Integer.MAX_VALUE - 100;
	}

	private void loop() {
		while (this.running) {
			try {
				long untilSweep = this.nextSweep - System.nanoTime();
				OutboxLocation location = this.woken.poll(Math.max(0, untilSweep), TimeUnit.NANOSECONDS);
				if (location != null) {
					this.queued.remove(location.name());
					drain(location);
				}
				else if (System.nanoTime() >= this.nextSweep) {
					this.nextSweep = System.nanoTime() + this.sweepInterval.toNanos();
					sweep();
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (RuntimeException ex) {
				log.warn("Outbox relay pass failed: {}", ex.toString());
			}
		}
	}

	/**
	 * Drains the outboxes that have rows among those this sweep visits: every outbox in a
	 * pooled database while there are no more than {@code outboxesPerSweep}, else the
	 * next that many in turn (at 11,000 tenant stores and 2,000 a sweep, each is visited
	 * every sixth sweep); and the next {@code coldPerSweep} cold ones. The outboxes of
	 * one database are probed together, {@value #PROBE_CHUNK} at a time, by one statement
	 * that answers which of them hold rows, how many and how old the oldest is, so that
	 * an idle sweep over a thousand tenant schemas costs a few statements rather than a
	 * transaction per schema. What an outbox still holds after its drain counts in the
	 * backlog served to the meter registry until its next probe.
	 */
	private synchronized void sweep() {
		List<OutboxLocation> warm = new ArrayList<>();
		List<OutboxLocation> cold = new ArrayList<>();
		Set<String> listed = new HashSet<>();
		for (OutboxLocation location : this.locations.get()) {
			(location.cold() ? cold : warm).add(location);
			listed.add(location.name());
		}
		this.seen.keySet().retainAll(listed);
		// Chunks of one database's outboxes, always made up alike: a chunk's probe is the
		// same statement from sweep to sweep, its plan prepared once on each connection.
		Map<DataSource, List<OutboxLocation>> byDatabase = new LinkedHashMap<>();
		for (OutboxLocation location : warm) {
			DataSource owner;
			try {
				owner = location.owner().get();
			}
			catch (RuntimeException ex) {
				log.warn("Outbox {} not reachable: {}", location.name(), ex.toString());
				continue;
			}
			byDatabase.computeIfAbsent(owner, (d) -> new ArrayList<>()).add(location);
		}
		List<Chunk> chunks = new ArrayList<>();
		int outboxes = 0;
		for (Map.Entry<DataSource, List<OutboxLocation>> database : byDatabase.entrySet()) {
			List<OutboxLocation> all = database.getValue();
			outboxes += all.size();
			for (int from = 0; from < all.size(); from += PROBE_CHUNK) {
				chunks.add(new Chunk(database.getKey(), all.subList(from, Math.min(all.size(), from + PROBE_CHUNK))));
			}
		}
		// As many chunks as hold about outboxesPerSweep outboxes.
		int most = (outboxes <= this.outboxesPerSweep) ? chunks.size()
				: Math.max(1, (int) ((long) chunks.size() * this.outboxesPerSweep / outboxes));
		for (Chunk chunk : turn(chunks, most, 0)) {
			if (!this.running) {
				return;
			}
			drainWaiting(chunk.outboxes(), waiting(chunk.owner(), chunk.outboxes()));
		}
		for (OutboxLocation location : turn(cold, this.coldPerSweep, 1)) {
			if (!this.running) {
				return;
			}
			try {
				drainWaiting(List.of(location), probe(location.owner().get(), List.of(location.schema())));
			}
			catch (SQLException | RuntimeException ex) {
				log.debug("Outbox {} not probed: {}", location.name(), ex.toString());
			}
		}
		long rows = 0;
		double oldest = 0;
		for (Waiting w : this.seen.values()) {
			rows += w.rows();
			oldest = Math.max(oldest, w.oldestSeconds());
		}
		this.backlog = new Backlog(rows, oldest);
	}

	/**
	 * All of {@code items} if there are no more than {@code most}, else the next
	 * {@code most} of them after the previous sweep's turn ({@code cursor} 0 for the
	 * chunks of warm outboxes, 1 for cold outboxes). The first chunk, the control
	 * database's outbox, is in every turn.
	 */
	private <T> List<T> turn(List<T> items, int most, int cursor) {
		if (items.size() <= most) {
			return items;
		}
		int from = Math.floorMod(this.cursors[cursor], items.size());
		this.cursors[cursor] = from + most;
		List<T> turn = new ArrayList<>(most + 1);
		boolean firstAlways = cursor == 0 && from != 0;
		if (firstAlways) {
			turn.add(items.get(0));
		}
		for (int i = 0; i < most; i++) {
			int index = (from + i) % items.size();
			if (index != 0 || !firstAlways) {
				turn.add(items.get(index));
			}
		}
		return turn;
	}

	/**
	 * Whether {@code ex} says the outbox's table, schema or database does not exist
	 * (SQLSTATE 42P01, 3F000, 3D000): a store a tier move removed or re-creates, not a
	 * relay failure.
	 */
	static boolean gone(Throwable ex) {
		// Bounded: a chain of causes may loop.
		Throwable t = ex;
		for (int depth = 0; t != null && depth < 32; depth++, t = t.getCause()) {
			if (t instanceof SQLException sql) {
				String state = sql.getSQLState();
				if ("42P01".equals(state) || "3F000".equals(state) || "3D000".equals(state)) {
					return true;
				}
			}
		}
		return false;
	}

	/** Outboxes of one database probed by one statement. */
	private record Chunk(DataSource owner, List<OutboxLocation> outboxes) {
	}

	/**
	 * Drains the probed outboxes that have rows, and keeps what each still holds
	 * afterwards (rows another instance is draining, a broker that did not answer) for
	 * the backlog until its next probe.
	 */
	private void drainWaiting(List<OutboxLocation> probed, List<Waiting> waiting) {
		for (OutboxLocation location : probed) {
			this.seen.remove(location.name());
		}
		for (Waiting w : waiting) {
			OutboxLocation location = probed.get(w.index());
			if (drain(location) < w.rows()) {
				this.seen.put(location.name(), w);
			}
		}
	}

	/**
	 * The outboxes of {@code chunk} (all in the database of {@code owner}) that have
	 * rows; all of them, uncounted, if that cannot be told (one was dropped meanwhile,
	 * say).
	 */
	private static List<Waiting> waiting(DataSource owner, List<OutboxLocation> chunk) {
		try {
			return probe(owner, chunk.stream().map(OutboxLocation::schema).toList());
		}
		catch (SQLException | RuntimeException ex) {
			log.debug("Probing {} outboxes at once failed ({}); draining each", chunk.size(), ex.toString());
			List<Waiting> all = new ArrayList<>(chunk.size());
			for (int i = 0; i < chunk.size(); i++) {
				all.add(new Waiting(i, 0, 0));
			}
			return all;
		}
	}

	/**
	 * Which outboxes of {@code schemas} (in the database of {@code owner}) have rows, how
	 * many (up to {@value #BACKLOG_COUNT_LIMIT}) and how long the oldest has waited,
	 * asked in one statement; the age is the server's, like the rows' time. Rows are read
	 * in relay order, by the index, so an empty outbox costs one index probe.
	 */
	static List<Waiting> probe(DataSource owner, List<String> schemas) throws SQLException {
		StringBuilder sql = new StringBuilder(schemas.size() * 200);
		for (int i = 0; i < schemas.size(); i++) {
			if (i > 0) {
				sql.append(" union all ");
			}
			sql.append("select ")
				.append(i)
				.append(", count(*), extract(epoch from statement_timestamp() - min(created_at))::float8")
				.append(" from (select created_at from ")
				.append(schemas.get(i))
				.append(".outbox order by id limit ")
				.append(BACKLOG_COUNT_LIMIT)
				.append(") o having count(*) > 0");
		}
		List<Waiting> found = new ArrayList<>();
		try (Connection con = owner.getConnection(); PreparedStatement ps = con.prepareStatement(sql.toString())) {
			// A chunk's text stays the same from sweep to sweep (stores are listed in the
			// order they were added): prepared on the server at once, its plan is used
			// again.
			ps.unwrap(PGStatement.class).setPrepareThreshold(1);
			try (ResultSet rs = ps.executeQuery()) {
				while (rs.next()) {
					found.add(new Waiting(rs.getInt(1), rs.getLong(2), Math.max(0, rs.getDouble(3))));
				}
			}
		}
		return found;
	}

	private int drainBatch(OutboxLocation location) throws Exception {
		try (Connection con = location.owner().get().getConnection()) {
			con.setAutoCommit(false);
			try {
				if (!tryLock(con, location)) {
					con.rollback();
					return 0; // another relay instance is draining this outbox
				}
				List<Row> rows = read(con, location);
				if (rows.isEmpty()) {
					con.commit();
					return 0;
				}
				List<Future<RecordMetadata>> sends = new ArrayList<>(rows.size());
				List<Span> spans = new ArrayList<>(rows.size());
				try {
					for (Row row : rows) {
						RecordHeaders headers = new RecordHeaders();
						spans.add(this.traces.publishing(row.traceparent, row.topic, row.type, headers));
						sends.add(this.producer
							.send(new ProducerRecord<>(row.topic, null, row.tenantId.toString(), event(row), headers)));
					}
					for (Future<RecordMetadata> send : sends) {
						send.get(30, TimeUnit.SECONDS);
					}
				}
				catch (Exception ex) {
					spans.forEach((span) -> span.error(ex));
					throw ex;
				}
				finally {
					spans.forEach(Span::end);
				}
				delete(con, location, rows);
				con.commit();
				this.relayed.addAndGet(rows.size());
				return rows.size();
			}
			catch (Exception ex) {
				con.rollback();
				throw ex;
			}
		}
	}

	private static boolean tryLock(Connection con, OutboxLocation location) throws SQLException {
		try (PreparedStatement ps = con.prepareStatement("select pg_try_advisory_xact_lock(hashtext(?))")) {
			ps.setString(1, "tierflow.outbox." + location.schema());
			try (ResultSet rs = ps.executeQuery()) {
				rs.next();
				return rs.getBoolean(1);
			}
		}
	}

	private List<Row> read(Connection con, OutboxLocation location) throws SQLException {
		String sql = "select tenant_id, id, topic, type, subject, data::text, created_at, traceparent from "
				+ location.schema() + ".outbox order by id limit ?";
		List<Row> rows = new ArrayList<>();
		try (PreparedStatement ps = con.prepareStatement(sql)) {
			ps.setInt(1, this.batchSize);
			try (ResultSet rs = ps.executeQuery()) {
				while (rs.next()) {
					rows.add(new Row(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
							rs.getString(4), rs.getString(5), rs.getString(6), rs.getObject(7, OffsetDateTime.class),
							rs.getString(8)));
				}
			}
		}
		return rows;
	}

	private static void delete(Connection con, OutboxLocation location, List<Row> rows) throws SQLException {
		Array ids = con.createArrayOf("uuid", rows.stream().map(Row::id).toArray());
		try (PreparedStatement ps = con
			.prepareStatement("delete from " + location.schema() + ".outbox where id = any(?)")) {
			ps.setArray(1, ids);
			ps.executeUpdate();
		}
	}

	private CloudEvent event(Row row) {
		CloudEventBuilder builder = CloudEventBuilder.v1()
			.withId(row.id.toString())
			.withSource(this.source)
			.withType(row.type)
			.withTime(row.createdAt)
			.withExtension("tenantid", row.tenantId.toString())
			.withDataContentType("application/json")
			.withData(row.data.getBytes(java.nio.charset.StandardCharsets.UTF_8));
		if (row.subject != null) {
			builder.withSubject(row.subject);
		}
		return builder.build();
	}

	private record Row(UUID tenantId, UUID id, String topic, String type, String subject, String data,
			OffsetDateTime createdAt, String traceparent) {
	}

	/**
	 * What waited in the outboxes at a sweep.
	 *
	 * @param rows rows not relayed yet (up to {@value #BACKLOG_COUNT_LIMIT} counted per
	 * outbox)
	 * @param oldestSeconds how long the oldest of them had waited, 0 when there was none
	 */
	public record Backlog(long rows, double oldestSeconds) {
	}

	/** One outbox of a probed chunk that has rows: its index in the chunk. */
	record Waiting(int index, long rows, double oldestSeconds) {
	}

}
