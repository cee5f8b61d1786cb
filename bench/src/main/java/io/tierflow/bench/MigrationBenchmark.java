package io.tierflow.bench;

import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.tierflow.events.tenant.MovePhase;
import io.tierflow.mover.MoveReport;
import io.tierflow.mover.TenantMover;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TestKafka;
import io.tierflow.testsupport.TestPostgres;
import org.postgresql.core.BaseConnection;
import org.postgresql.copy.CopyManager;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Live tier moves of a big tenant under write load: simulation-service in-process, one
 * SHARED tenant with {@code --rows} models, {@code --writes-per-second} inserts through
 * the tenancy layer while {@link TenantMover} moves it to a schema of its own, and then
 * back and forth between the two until at least {@code --min-fenced-writes} writes have
 * started inside a fence (one cutover holds a few dozen: a p99 over one move would be its
 * maximum). Reports the write pause at cutover over all of them, the first move's copy
 * throughput against a raw {@code COPY} of the same rows (out of the source, into a table
 * of the target database) measured in the same run under the same writes
 * ({@code copy_ratio}; against one with nothing else running, {@code copy_ratio_idle}),
 * and every acknowledged write checked at the last placement.
 */
final class MigrationBenchmark {

	private static final String PREFIX = "bench_move";

	private final int rows;

	private final int writesPerSecond;

	private final int minFencedWrites;

	private final int maxMoves;

	private final Map<String, String> settings;

	MigrationBenchmark(Map<String, String> options) {
		this.rows = Bench.intOption(options, "rows", 10_000_000);
		this.writesPerSecond = Bench.intOption(options, "writes-per-second", 1_000);
		this.minFencedWrites = Bench.intOption(options, "min-fenced-writes", 300);
		this.maxMoves = Bench.intOption(options, "max-moves", 30);
		this.settings = Bench.serviceSettings(options);
	}

	String run() throws Exception {
		Bench.say(String.format(Locale.ROOT,
				"migration: a SHARED tenant with %d rows moved to its own schema and back under %d writes/s until"
						+ " %d writes fell inside a fence; %d cores",
				this.rows, this.writesPerSecond, this.minFencedWrites, Runtime.getRuntime().availableProcessors()));
		PostgresServer pg = TestPostgres.get();
		Bench.say("  PostgreSQL " + pg + ", Kafka " + TestKafka.get().bootstrapServers());
		try (ConfigurableApplicationContext service = ServiceUnderBench.start(PREFIX, false, this.settings)) {
			TenantProvisioner provisioner = service.getBean(TenantProvisioner.class);
			UUID tenant = UUID.randomUUID();
			UUID neighbour = UUID.randomUUID();
			provisioner.provision(tenant, Tier.SHARED, "eu");
			provisioner.provision(neighbour, Tier.SHARED, "eu");
			long seedAt = System.nanoTime();
			seed(pg, tenant, this.rows);
			seed(pg, neighbour, 10_000);
			Bench.say(String.format(Locale.ROOT, "  seeded %d rows in %.1f s", this.rows,
					(System.nanoTime() - seedAt) / 1e9));
			double idleRawRowsPerSecond = rawCopy(pg, tenant, "with nothing else running");

			Writer writer = new Writer(service, tenant, this.writesPerSecond);
			writer.start();
			Thread.sleep(2000); // the write rate settles before the move starts
			// The baseline the move's copy is held to: the same rows copied raw while the
			// same writes go on, since on this machine they take a share of its two cores
			// that the move's copy cannot have either.
			double rawRowsPerSecond = rawCopy(pg, tenant, "under the same writes");
			AtomicLong moveAt = new AtomicLong();
			AtomicLong streamingAt = new AtomicLong();
			AtomicLong copied = new AtomicLong();
			AtomicReference<MovePhase> lastPhase = new AtomicReference<>();
			AtomicReference<java.time.LocalTime> switchedWall = new AtomicReference<>();
			AtomicLong lastSay = new AtomicLong();
			TenantMover.Progress progress = (move, phase, changes, lag) -> {
				long now = System.nanoTime();
				if (phase == MovePhase.STREAMING && streamingAt.compareAndSet(0, now)) {
					// The rows the copy wrote: the tenant's, seeded and written so far.
					copied.set(changes);
				}
				if (phase == MovePhase.FENCED) {
					writer.fenced(now);
				}
				if (phase == MovePhase.SWITCHED) {
					writer.switched(now);
					// Wall-clock, to be read against a GC log or a JFR recording.
					switchedWall.set(java.time.LocalTime.now());
				}
				if (phase != lastPhase.getAndSet(phase) || now - lastSay.get() > 2_000_000_000L) {
					lastSay.set(now);
					double s = (now - moveAt.get()) / 1e9;
					Bench.say(String.format(Locale.ROOT, "  %6.1f s  %-10s %,10d changes applied (%,.0f/s)%s", s, phase,
							changes, changes / Math.max(s, 1e-3),
							(lag != null) ? ", lag " + lag.toMillis() + " ms" : ""));
				}
			};
			TenantMover mover = service.getBean(TenantMover.class);
			double copyRowsPerSecond = 0;
			int moves = 0;
			List<Long> held = new ArrayList<>();
			while (moves == 0 || writer.pausesMillis().length < this.minFencedWrites && moves < this.maxMoves) {
				// There and back again: every other move returns the tenant to the shared
				// tier.
				Tier to = (moves % 2 == 0) ? Tier.DEDICATED : Tier.SHARED;
				moveAt.set(System.nanoTime());
				lastPhase.set(null);
				MoveReport report = mover.move(tenant, to, "eu", null, TenantMover.Options.defaults(), progress);
				moves++;
				if (!report.succeeded()) {
					writer.stop();
					throw new IllegalStateException("Move " + moves + " failed: " + report.reason());
				}
				held.add(report.fenced().toMillis());
				if (moves == 1) {
					double copySeconds = (streamingAt.get() - moveAt.get()) / 1e9;
					copyRowsPerSecond = copied.get() / copySeconds;
					Bench.say(String.format(Locale.ROOT,
							"  moved in %.1f s: copy phase %.1f s (%,d rows, %,.0f rows/s; raw COPY %,.0f rows/s under"
									+ " the same writes, %,.0f with nothing else), writes held %d ms, checksums %s",
							(System.nanoTime() - moveAt.get()) / 1e9, copySeconds, copied.get(), copyRowsPerSecond,
							rawRowsPerSecond, idleRawRowsPerSecond, report.fenced().toMillis(),
							report.sourceChecksums()));
				}
				Bench.say(String.format(Locale.ROOT,
						"  move %d to %s: switched at %s, writes held %d ms; %d writes inside a fence so far", moves,
						to, switchedWall.get(), report.fenced().toMillis(), writer.pausesMillis().length));
			}
			Thread.sleep(2000); // writes go on at the new placement
			writer.stop();
			Bench.say("  " + moves + " moves, writes held (ms) " + held);

			long[] pauses = writer.pausesMillis();
			Bench.say("  slowest writes inside a fence:");
			writer.slowestFenced(10).forEach((line) -> Bench.say("    " + line));
			Bench.say(String.format(Locale.ROOT,
					"  writes: %d acknowledged, %d failed; %d started inside a fence (fence to switch), latency"
							+ " outside p50 %.1f ms",
					writer.acked.size(), writer.failed.get(), pauses.length, writer.normalP50()));
			long[] check = verify(pg, service.getBean(TenantProvisioner.class).find(tenant).orElseThrow(), writer);
			long lost = check[0];
			long duplicated = check[1];
			Bench.say(String.format(Locale.ROOT,
					"  verified at the new placement: %d rows, %d acknowledged writes" + " missing, %d duplicated",
					check[2], lost, duplicated));
			return String.format(Locale.ROOT,
					"RESULT migration rows=%d moves=%d fenced_writes=%d pause_p50_ms=%d pause_p99_ms=%d pause_max_ms=%d"
							+ " copy_rows_per_s=%.0f copy_ratio=%.2f lost=%d duplicated=%d copy_ratio_idle=%.2f",
					this.rows, moves, pauses.length, percentile(pauses, 50), percentile(pauses, 99),
					percentile(pauses, 100), copyRowsPerSecond, copyRowsPerSecond / rawRowsPerSecond, lost, duplicated,
					copyRowsPerSecond / idleRawRowsPerSecond);
		}
	}

	private static void seed(PostgresServer pg, UUID tenant, int rows) throws Exception {
		try (Connection con = pg.adminConnection(PREFIX + "_shared"); Statement st = con.createStatement()) {
			st.execute("insert into shared.simulation_model (tenant_id, id, name, description, definition)"
					+ " select '" + tenant + "', gen_random_uuid(), 'model ' || n, 'seeded model ' || n,"
					+ " jsonb_build_object('paths', n, 'horizon', 'P1Y') from generate_series(1, " + rows + ") n");
			st.execute("analyze shared.simulation_model");
		}
	}

	/**
	 * The baseline: the tenant's rows copied with COPY out of the source and COPY into a
	 * table of the same shape in the target database, no CDC, no tenancy.
	 */
	private double rawCopy(PostgresServer pg, UUID tenant, String when) throws Exception {
		try (Connection target = pg.adminConnection(PREFIX + "_dedicated"); Statement st = target.createStatement()) {
			st.execute("create schema if not exists bench_raw");
			st.execute("drop table if exists bench_raw.simulation_model");
			st.execute("create table bench_raw.simulation_model (tenant_id uuid not null, id uuid not null,"
					+ " name text not null, description text, definition jsonb not null default '{}'::jsonb,"
					+ " created_at timestamptz not null default now(), primary key (tenant_id, id))");
			st.execute("create unique index on bench_raw.simulation_model (tenant_id, name)");
		}
		long at = System.nanoTime();
		// Streamed from one connection to the other: ten million rows do not fit the
		// heap.
		PipedInputStream in = new PipedInputStream(1 << 20);
		PipedOutputStream out = new PipedOutputStream(in);
		ExecutorService reader = Executors.newSingleThreadExecutor();
		Future<Long> copiedOut = reader.submit(() -> {
			try (out; Connection source = pg.adminConnection(PREFIX + "_shared")) {
				return new CopyManager(source.unwrap(BaseConnection.class)).copyOut(
						"copy (select * from shared.simulation_model where tenant_id = '" + tenant + "') to stdout",
						out);
			}
		});
		try (Connection target = pg.adminConnection(PREFIX + "_dedicated")) {
			new CopyManager(target.unwrap(BaseConnection.class)).copyIn("copy bench_raw.simulation_model from stdin",
					in);
		}
		finally {
			// Unblocks the reader should the copy in have failed half way.
			in.close();
			reader.shutdown();
		}
		long rows = copiedOut.get();
		double seconds = (System.nanoTime() - at) / 1e9;
		try (Connection target = pg.adminConnection(PREFIX + "_dedicated"); Statement st = target.createStatement()) {
			st.execute("drop schema bench_raw cascade");
		}
		double perSecond = rows / seconds;
		Bench.say(String.format(Locale.ROOT, "  raw COPY out and in of the tenant's %,d rows %s: %.1f s (%,.0f rows/s)",
				rows, when, seconds, perSecond));
		return perSecond;
	}

	/**
	 * Missing acknowledged writes, duplicated ids, and rows, at the tenant's last
	 * placement.
	 */
	private long[] verify(PostgresServer pg, TenantPlacement placement, Writer writer) throws Exception {
		try (Connection con = pg.adminConnection(placement.database())) {
			String table = placement.schema() + ".simulation_model";
			long rows;
			long duplicated;
			// After an even number of moves the tenant is back in the shared table.
			try (PreparedStatement ps = con.prepareStatement(
					"select count(*), count(*) - count(distinct id) from " + table + " where tenant_id = ?")) {
				ps.setObject(1, placement.tenantId());
				try (ResultSet rs = ps.executeQuery()) {
					rs.next();
					rows = rs.getLong(1);
					duplicated = rs.getLong(2);
				}
			}
			long missing;
			try (PreparedStatement ps = con.prepareStatement("select count(*) from unnest(?) as acked(id) where not"
					+ " exists (select 1 from " + table + " m where m.tenant_id = ? and m.id = acked.id)")) {
				ps.setArray(1, con.createArrayOf("uuid", writer.acked.toArray()));
				ps.setObject(2, placement.tenantId());
				try (ResultSet rs = ps.executeQuery()) {
					rs.next();
					missing = rs.getLong(1);
				}
			}
			long expected = this.rows + writer.acked.size();
			if (rows != expected && missing == 0 && duplicated == 0) {
				throw new IllegalStateException("Expected " + expected + " rows, found " + rows);
			}
			return new long[] { missing, duplicated, rows };
		}
	}

	private static long percentile(long[] sorted, int p) {
		if (sorted.length == 0) {
			return 0;
		}
		int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
	}

	/**
	 * Inserts models at a fixed rate through the tenancy layer (the service's JdbcClient
	 * and transaction manager, as its repository does), each from its scheduled time, so
	 * a held write's wait shows in its latency.
	 */
	private static final class Writer {

		private final TransactionTemplate tx;

		private final JdbcClient jdbc;

		private final UUID tenant;

		private final int perSecond;

		private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();

		/** Writes run here, so a held write never delays the ones scheduled after it. */
		private final ExecutorService workers = Executors.newCachedThreadPool();

		final ConcurrentLinkedQueue<UUID> acked = new ConcurrentLinkedQueue<>();

		final AtomicLong failed = new AtomicLong();

		/** Each cutover's fence to switch, in nanoTime. */
		private final List<long[]> windows = new java.util.concurrent.CopyOnWriteArrayList<>();

		private final AtomicLong fencedAt = new AtomicLong();

		private final ConcurrentLinkedQueue<long[]> timings = new ConcurrentLinkedQueue<>();

		private final AtomicLong sequence = new AtomicLong();

		Writer(ConfigurableApplicationContext service, UUID tenant, int perSecond) {
			this.tx = new TransactionTemplate(service.getBean(PlatformTransactionManager.class));
			this.jdbc = service.getBean(JdbcClient.class);
			this.tenant = tenant;
			this.perSecond = perSecond;
		}

		void start() {
			long periodNanos = 1_000_000_000L / this.perSecond;
			this.pacer.scheduleAtFixedRate(() -> {
				long scheduled = System.nanoTime();
				this.workers.execute(() -> writeOne(scheduled));
			}, 0, periodNanos, TimeUnit.NANOSECONDS);
		}

		private void writeOne(long start) {
			UUID id = UUID.randomUUID();
			long n = this.sequence.incrementAndGet();
			try {
				TenantContext.run(this.tenant,
						() -> this.tx.executeWithoutResult((s) -> this.jdbc
							.sql("insert into simulation_model (tenant_id, id, name, description) values (?, ?, ?, ?)")
							.params(this.tenant, id, "written " + n + " " + id, "written during the move")
							.update()));
				this.acked.add(id);
			}
			catch (RuntimeException ex) {
				this.failed.incrementAndGet();
			}
			this.timings.add(new long[] { start, System.nanoTime() - start });
		}

		void stop() throws InterruptedException {
			this.pacer.shutdown();
			this.pacer.awaitTermination(30, TimeUnit.SECONDS);
			this.workers.shutdown();
			this.workers.awaitTermination(30, TimeUnit.SECONDS);
		}

		void fenced(long at) {
			this.fencedAt.set(at);
		}

		void switched(long at) {
			this.windows.add(new long[] { this.fencedAt.get(), at });
		}

		private boolean fenced(long[] timing) {
			for (long[] window : this.windows) {
				if (timing[0] >= window[0] && timing[0] <= window[1]) {
					return true;
				}
			}
			return false;
		}

		/**
		 * Latencies of the writes that started between a fence and its switch, sorted.
		 */
		long[] pausesMillis() {
			return this.timings.stream().filter(this::fenced).mapToLong((t) -> t[1] / 1_000_000).sorted().toArray();
		}

		/**
		 * The slowest writes that started inside a fence, each placed against its
		 * cutover: when it started after the fence, how long it took, and how long it
		 * still ran after the switch (the part the fence does not explain).
		 */
		List<String> slowestFenced(int count) {
			List<String> lines = new ArrayList<>();
			this.timings.stream()
				.filter(this::fenced)
				.sorted((a, b) -> Long.compare(b[1], a[1]))
				.limit(count)
				.forEach((t) -> {
					for (int move = 0; move < this.windows.size(); move++) {
						long[] window = this.windows.get(move);
						if (t[0] >= window[0] && t[0] <= window[1]) {
							lines.add(String.format(Locale.ROOT,
									"%d ms in move %d (started %.1f ms after the fence, %.1f ms before the switch;"
											+ " ran %.1f ms past it)",
									t[1] / 1_000_000, move + 1, (t[0] - window[0]) / 1e6, (window[1] - t[0]) / 1e6,
									(t[0] + t[1] - window[1]) / 1e6));
						}
					}
				});
			return lines;
		}

		double normalP50() {
			long[] outside = this.timings.stream().filter((t) -> !fenced(t)).mapToLong((t) -> t[1]).sorted().toArray();
			return (outside.length == 0) ? 0 : outside[outside.length / 2] / 1e6;
		}

	}

}
