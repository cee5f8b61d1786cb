package io.tierflow.mover;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.tierflow.tenancy.placement.TenantFence;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The change stream on a real PostgreSQL and a real Debezium engine: a tenant's rows move
 * from shared tables (beside another tenant's) to a schema of their own in another
 * database while both tenants keep writing, and the checksums prove the copy.
 */
class TenantChangeStreamIT {

	private static final AtomicInteger RUN = new AtomicInteger();

	private static final String TABLES = """
			create table notes (tenant_id uuid not null, id uuid not null, body text not null, tags jsonb,
			  amount numeric(12,2), due date, created_at timestamptz not null default now(),
			  primary key (tenant_id, id));
			create table inbox (tenant_id uuid not null, event_id uuid not null,
			  processed_at timestamptz not null default now(), primary key (tenant_id, event_id));
			create table outbox (id uuid primary key, tenant_id uuid not null, data text);
			""";

	private final PostgresServer pg = TestPostgres.get();

	private final UUID a = UUID.randomUUID();

	private final UUID b = UUID.randomUUID();

	private Store source;

	private Store target;

	private final Random random = new Random(42);

	private final List<UUID> aNotes = new ArrayList<>();

	private final List<UUID> bNotes = new ArrayList<>();

	@BeforeEach
	void stores() throws SQLException {
		int run = RUN.incrementAndGet();
		String sourceDb = "mover_src_" + run;
		String targetDb = "mover_dst_" + run;
		this.pg.dropDatabase(sourceDb);
		this.pg.dropDatabase(targetDb);
		this.pg.createDatabase(sourceDb);
		this.pg.createDatabase(targetDb);
		this.source = new Store(this.pg.jdbcUrl(sourceDb), this.pg.adminUser(), this.pg.adminPassword(), "shared");
		String schema = "t_" + this.a.toString().replace("-", "");
		this.target = new Store(this.pg.jdbcUrl(targetDb), this.pg.adminUser(), this.pg.adminPassword(), schema);
		exec(this.source, "create schema shared; set search_path to shared; " + TABLES);
		exec(this.source, TenantFence.ensureStatement(this.pg.adminUser()));
		exec(this.target, "create schema " + schema + "; set search_path to " + schema + "; " + TABLES);
		try (Connection con = this.source.connect()) {
			con.setAutoCommit(false);
			for (int i = 0; i < 3000; i++) {
				this.aNotes.add(insertNote(con, this.a, i));
			}
			for (int i = 0; i < 1000; i++) {
				this.bNotes.add(insertNote(con, this.b, i));
			}
			for (UUID tenant : List.of(this.a, this.b)) {
				for (int i = 0; i < 50; i++) {
					update(con, "insert into shared.inbox (tenant_id, event_id) values (?, ?)", tenant,
							UUID.randomUUID());
				}
				update(con, "insert into shared.outbox (id, tenant_id, data) values (?, ?, 'unsent')",
						UUID.randomUUID(), tenant);
			}
			con.commit();
		}
	}

	@AfterEach
	void noCaptureLeftBehind() throws SQLException {
		try (Connection con = this.source.connect(); Statement st = con.createStatement()) {
			ResultSet slots = st
				.executeQuery("select count(*) from pg_replication_slots where slot_name like 'tierflow_mv_%'"
						+ " and database = current_database()");
			slots.next();
			assertThat(slots.getInt(1)).as("replication slots left").isZero();
			ResultSet pubs = st.executeQuery("select count(*) from pg_publication");
			pubs.next();
			assertThat(pubs.getInt(1)).as("publications left").isZero();
		}
	}

	@Test
	void copiesAndStreamsOnlyTheTenantsRowsWhileBothTenantsWrite() throws Exception {
		UUID move = UUID.randomUUID();
		AtomicBoolean writing = new AtomicBoolean(true);
		AtomicInteger writes = new AtomicInteger();
		Thread writer = new Thread(() -> writeUntilStopped(writing, writes), "writer");
		writer.start();
		Thread.sleep(300);
		try (TenantChangeStream stream = new TenantChangeStream(move, this.a, this.source, this.target,
				Duration.ofMillis(500))) {
			assertThat(stream.tables()).containsExactly("inbox", "notes");
			stream.start();
			await().atMost(Duration.ofSeconds(60)).until(stream::streaming);
			Thread.sleep(1500); // keep writing while streaming
			writing.set(false);
			writer.join();
			assertThat(writes.get()).isGreaterThan(100);
			awaitSameRows(stream);
			assertThat(stream.failure()).isNull();
			assertThat(stream.appliedChanges()).isGreaterThanOrEqualTo(3050);
			// A fence mark of the tenant travels in the stream, in order; a neighbour's
			// does not.
			exec(this.source, "insert into tierflow_fence.moved (tenant_id, epoch) values ('" + this.b + "', 9)");
			exec(this.source, "insert into tierflow_fence.moved (tenant_id, epoch) values ('" + this.a + "', 7)");
			await().atMost(Duration.ofSeconds(30)).until(() -> Long.valueOf(7).equals(stream.fenceSeen()));
		}
		finally {
			writing.set(false);
			writer.join();
			TenantChangeStream.dropCapture(this.source, this.target, move);
		}
		// Only A's rows arrived; B's stayed where they were, untouched.
		assertThat(count(this.target, "notes", this.b)).isZero();
		assertThat(count(this.target, "inbox", this.b)).isZero();
		assertThat(count(this.target, "notes", this.a)).isEqualTo(count(this.source, "notes", this.a));
		assertThat(count(this.source, "notes", this.b)).isGreaterThan(0);
		// Outbox rows are relayed from where they were written, never moved.
		assertThat(count(this.target, "outbox", this.a)).isZero();
	}

	@Test
	void resumesFromTheAppliedPositionAfterARestart() throws Exception {
		UUID move = UUID.randomUUID();
		try {
			try (TenantChangeStream stream = new TenantChangeStream(move, this.a, this.source, this.target,
					Duration.ofMillis(500))) {
				stream.start();
				awaitSameRows(stream);
			}
			// Stopped: the tenant keeps writing, the slot keeps the changes.
			try (Connection con = this.source.connect()) {
				for (int i = 0; i < 200; i++) {
					change(con, this.a, this.aNotes, i);
					change(con, this.b, this.bNotes, i);
				}
			}
			long before;
			try (Connection con = this.target.connect()) {
				before = AppliedPosition.load(con, move).orElseThrow().events();
			}
			try (TenantChangeStream stream = new TenantChangeStream(move, this.a, this.source, this.target,
					Duration.ofMillis(500))) {
				stream.start();
				awaitSameRows(stream);
				// Resumed where it was: only the changes made while stopped, no second
				// copy.
				assertThat(stream.appliedChanges() - before).isBetween(200L, 400L);
				assertThat(stream.failure()).isNull();
			}
		}
		finally {
			TenantChangeStream.dropCapture(this.source, this.target, move);
		}
	}

	@Test
	void aQuietTenantsSlotFollowsTheSourcesWalWhileNeighboursWrite() throws Exception {
		UUID move = UUID.randomUUID();
		try (TenantChangeStream stream = new TenantChangeStream(move, this.a, this.source, this.target,
				Duration.ofMillis(200))) {
			stream.start();
			await().atMost(Duration.ofSeconds(60)).until(stream::streaming);
			// Only the neighbour writes: nothing of it passes the publication's filter.
			try (Connection con = this.source.connect()) {
				for (int i = 0; i < 300; i++) {
					change(con, this.b, this.bNotes, i);
				}
			}
			String walNow = query(this.source, "select pg_current_wal_lsn()::text");
			// The heartbeats move the slot past the neighbour's changes: the source may
			// recycle that WAL while the move runs.
			await().atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> "t".equals(query(this.source,
						"select confirmed_flush_lsn >= '" + walNow
								+ "'::pg_lsn from pg_replication_slots where slot_name = '"
								+ TenantChangeStream.captureName(move) + "'")));
			assertThat(stream.failure()).isNull();
			assertThat(count(this.target, "notes", this.b)).isZero();
		}
		finally {
			TenantChangeStream.dropCapture(this.source, this.target, move);
		}
	}

	private static String query(Store store, String sql) throws SQLException {
		try (Connection con = store.connect();
				Statement st = con.createStatement();
				ResultSet rs = st.executeQuery(sql)) {
			rs.next();
			return rs.getString(1);
		}
	}

	private void awaitSameRows(TenantChangeStream stream) {
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
			assertThat(stream.failure()).isNull();
			Map<String, TableChecksum> expected = stream.sourceChecksums();
			assertThat(stream.targetChecksums()).isEqualTo(expected);
		});
	}

	private void writeUntilStopped(AtomicBoolean writing, AtomicInteger writes) {
		try (Connection con = this.source.connect()) {
			int i = 0;
			while (writing.get()) {
				change(con, this.a, this.aNotes, i);
				change(con, this.b, this.bNotes, i);
				writes.addAndGet(2);
				i++;
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** One committed change of a tenant's notes: an insert, an update or a delete. */
	private void change(Connection con, UUID tenant, List<UUID> notes, int i) throws SQLException {
		synchronized (notes) {
			int kind = this.random.nextInt(3);
			if (kind == 0 || notes.isEmpty()) {
				notes.add(insertNote(con, tenant, 10_000 + i));
			}
			else if (kind == 1) {
				update(con,
						"update shared.notes set body = body || '+', amount = amount + 1, tags = '{\"edited\": true}'"
								+ " where tenant_id = ? and id = ?",
						tenant, notes.get(this.random.nextInt(notes.size())));
			}
			else {
				UUID id = notes.remove(this.random.nextInt(notes.size()));
				update(con, "delete from shared.notes where tenant_id = ? and id = ?", tenant, id);
			}
		}
	}

	private UUID insertNote(Connection con, UUID tenant, int i) throws SQLException {
		UUID id = UUID.randomUUID();
		try (PreparedStatement ps = con
			.prepareStatement("insert into shared.notes (tenant_id, id, body, tags, amount, due)"
					+ " values (?, ?, ?, ?::jsonb, ?, current_date + ?)")) {
			ps.setObject(1, tenant);
			ps.setObject(2, id);
			ps.setString(3, "note " + i + " ünïcödé 'quoted'");
			ps.setString(4, (i % 3 == 0) ? null : "{\"n\": " + i + ", \"tags\": [\"a\", \"b\"]}");
			ps.setBigDecimal(5, new java.math.BigDecimal(i).movePointLeft(2));
			ps.setInt(6, i % 400);
			ps.executeUpdate();
		}
		return id;
	}

	private static void update(Connection con, String sql, Object... params) throws SQLException {
		try (PreparedStatement ps = con.prepareStatement(sql)) {
			for (int i = 0; i < params.length; i++) {
				ps.setObject(i + 1, params[i]);
			}
			ps.executeUpdate();
		}
	}

	private static long count(Store store, String table, UUID tenant) throws SQLException {
		try (Connection con = store.connect();
				PreparedStatement ps = con
					.prepareStatement("select count(*) from " + store.qualified(table) + " where tenant_id = ?")) {
			ps.setObject(1, tenant);
			try (ResultSet rs = ps.executeQuery()) {
				rs.next();
				return rs.getLong(1);
			}
		}
	}

	private static void exec(Store store, String sql) throws SQLException {
		try (Connection con = store.connect(); Statement st = con.createStatement()) {
			st.execute(sql);
		}
	}

}
