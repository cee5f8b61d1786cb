package io.tierflow.mover;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;

import io.tierflow.tenancy.placement.StoreNames;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.copy.CopyOut;
import org.postgresql.core.BaseConnection;
import org.postgresql.replication.ReplicationSlotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first copy of a move: creates the move's replication slot, reads the tenant's rows
 * in the snapshot the slot exports (exactly the rows committed before the slot's
 * consistent point) and pipes them with {@code COPY ... TO STDOUT} straight into
 * {@code COPY ... FROM STDIN} on the target — no decoding, no per-row conversion. The
 * rows and the slot's consistent point, as the position the stream starts from, commit
 * together in the target: every change after that point comes through the slot, none
 * before it does.
 */
final class InitialCopy {

	private static final Logger log = LoggerFactory.getLogger(InitialCopy.class);

	/** Bytes of rows sent to the target in one message at most. */
	private static final int COPY_BUFFER = 256 * 1024;

	/** Batches read ahead of the target at most. */
	private static final int READ_AHEAD = 8;

	/** Ends a table's batches. */
	private static final Batch END = new Batch(new byte[0], 0, -1);

	/** Rows read ahead: their bytes, and the table's rows read up to them. */
	private record Batch(byte[] bytes, int length, long rows) {
	}

	private InitialCopy() {
	}

	/**
	 * @param engine the Debezium engine's name and topic prefix (keys the position)
	 * @param copied told the rows copied so far, every few thousand
	 * @param stopped whether the move is being closed (the copy then gives up)
	 * @return the rows copied
	 */
	static long run(UUID move, UUID tenant, String slot, Store source, Store target, List<TenantTable> tables,
			String engine, LongConsumer copied, BooleanSupplier stopped) throws SQLException {
		long start = System.nanoTime();
		dropSlot(source, slot); // left by an earlier attempt that died while copying
		try (Connection replication = replicationConnection(source);
				Connection from = source.connect();
				Connection to = target.connect()) {
			ReplicationSlotInfo info = replication.unwrap(PGConnection.class)
				.getReplicationAPI()
				.createReplicationSlot()
				.logical()
				.withSlotName(slot)
				.withOutputPlugin("pgoutput")
				.make();
			from.setAutoCommit(false);
			try (Statement st = from.createStatement()) {
				st.execute("set transaction isolation level repeatable read, read only");
				// The snapshot name comes from the server.
				st.execute("set transaction snapshot '" + info.getSnapshotName() + "'");
			}
			// Imported: the snapshot lives on in this transaction without the slot's
			// connection.
			replication.close();
			to.setAutoCommit(false);
			boolean ownStore = !StoreNames.SHARED_SCHEMA.equals(target.schema());
			long rows = 0;
			for (TenantTable table : tables) {
				try (PreparedStatement ps = to
					.prepareStatement("delete from " + target.qualified(table.name()) + " where tenant_id = ?")) {
					ps.setObject(1, tenant);
					ps.executeUpdate();
				}
				// A table of the tenant's own store is empty now: it is loaded bare
				// and indexed once, as pg_restore does, not a random-key B-tree kept
				// up row by row. A shared table holds others and keeps its indexes.
				List<String> indexes = ownStore ? deferIndexes(to, target, table) : List.of();
				rows += pipe(source, target, table, tenant, from, to, rows, copied, stopped);
				rebuild(move, to, target, table, indexes);
			}
			AppliedPosition.save(to, move, engine, Map.of("server", engine),
					Map.of("lsn", info.getConsistentPoint().asLong(), "ts_usec", System.currentTimeMillis() * 1000),
					rows);
			to.commit();
			from.commit();
			// Fresh statistics, or the service's first queries there plan as if the
			// tables were empty.
			to.setAutoCommit(true);
			try (Statement st = to.createStatement()) {
				for (TenantTable table : tables) {
					st.execute("analyze " + target.qualified(table.name()));
				}
			}
			double seconds = (System.nanoTime() - start) / 1e9;
			log.info("Move {}: copied {} rows of tenant {} in {} s ({} rows/s) at {}", move, rows, tenant,
					String.format(Locale.ROOT, "%.1f", seconds),
					String.format(Locale.ROOT, "%.0f", rows / Math.max(seconds, 1e-3)), info.getConsistentPoint());
			return rows;
		}
	}

	/**
	 * Drops the indexes (and the constraints they back) of an empty table of the tenant's
	 * own store, inside the copy's transaction, and returns the statements that make them
	 * again. Nothing is deferred for a table another one's foreign key refers to, or one
	 * that is not empty: it keeps its indexes and is loaded as it is.
	 */
	static List<String> deferIndexes(Connection to, Store target, TenantTable table) throws SQLException {
		String qualified = target.qualified(table.name());
		try (Statement st = to.createStatement();
				ResultSet rs = st.executeQuery("select exists (select 1 from " + qualified + ")"
						+ " or exists (select 1 from pg_constraint where contype = 'f' and confrelid = '" + qualified
						+ "'::regclass)")) {
			rs.next();
			if (rs.getBoolean(1)) {
				return List.of();
			}
		}
		List<String> rebuild = new ArrayList<>();
		List<String> drop = new ArrayList<>();
		try (PreparedStatement ps = to.prepareStatement("select c.conname, pg_get_constraintdef(c.oid),"
				+ " pg_get_indexdef(i.indexrelid), i.indexrelid::regclass::text from pg_index i"
				+ " left join pg_constraint c on c.conindid = i.indexrelid and c.conrelid = i.indrelid"
				+ " and c.contype in ('p', 'u', 'x') where i.indrelid = ?::regclass order by i.indexrelid")) {
			ps.setString(1, qualified);
			try (ResultSet rs = ps.executeQuery()) {
				while (rs.next()) {
					String constraint = rs.getString(1);
					if (constraint != null) {
						drop.add("alter table " + qualified + " drop constraint " + Sql.quote(constraint));
						rebuild.add("alter table " + qualified + " add constraint " + Sql.quote(constraint) + " "
								+ rs.getString(2));
					}
					else {
						drop.add("drop index " + rs.getString(4));
						rebuild.add(rs.getString(3));
					}
				}
			}
		}
		try (Statement st = to.createStatement()) {
			for (String statement : drop) {
				st.execute(statement);
			}
		}
		return rebuild;
	}

	/** Makes a loaded table's indexes again, in the copy's transaction. */
	private static void rebuild(UUID move, Connection to, Store target, TenantTable table, List<String> indexes)
			throws SQLException {
		if (indexes.isEmpty()) {
			return;
		}
		long start = System.nanoTime();
		try (Statement st = to.createStatement()) {
			// Sorted in memory where it fits: a big tenant's index builds in one pass.
			st.execute("set local maintenance_work_mem = '256MB'");
			for (String index : indexes) {
				st.execute(index);
			}
		}
		log.info("Move {}: {} indexes of {} built after the copy in {} ms", move, indexes.size(),
				target.qualified(table.name()), (System.nanoTime() - start) / 1_000_000);
	}

	/**
	 * Pipes one table's rows: a thread of its own reads them from the source (a message
	 * per row) into messages of up to {@value #COPY_BUFFER} bytes while this one writes
	 * those to the target, as a raw COPY out of one connection and into another does. Ten
	 * million one-row messages forwarded one by one from a single thread cost the
	 * target's backend and the thread more than the rows themselves (0.63 of a raw COPY
	 * at ten million rows; 0.90 with the messages batched on one thread).
	 */
	private static long pipe(Store source, Store target, TenantTable table, UUID tenant, Connection from, Connection to,
			long before, LongConsumer copied, BooleanSupplier stopped) throws SQLException {
		String columns = table.columns().keySet().stream().map(Sql::quote).collect(Collectors.joining(", "));
		// The tenant id is a UUID: nothing to escape.
		CopyOut out = new CopyManager(from.unwrap(BaseConnection.class)).copyOut("copy (select " + columns + " from "
				+ source.qualified(table.name()) + " where tenant_id = '" + tenant + "') to stdout");
		BlockingQueue<Batch> batches = new ArrayBlockingQueue<>(READ_AHEAD);
		AtomicReference<Exception> readFailure = new AtomicReference<>();
		AtomicBoolean giveUp = new AtomicBoolean();
		Thread reader = new Thread(() -> readRows(out, batches, readFailure, giveUp),
				"tierflow-move-copy-" + table.name());
		reader.setDaemon(true);
		CopyIn in = null;
		long rows = 0;
		try {
			in = new CopyManager(to.unwrap(BaseConnection.class))
				.copyIn("copy " + target.qualified(table.name()) + " (" + columns + ") from stdin");
			reader.start();
			long reported = 0;
			Batch batch;
			while ((batch = batches.take()) != END) {
				in.writeToCopy(batch.bytes(), 0, batch.length());
				rows = batch.rows();
				if (rows - reported >= 8192) {
					reported = rows;
					copied.accept(before + rows);
					if (stopped.getAsBoolean()) {
						throw new SQLException("The move was stopped while copying " + table.name());
					}
				}
			}
			Exception failed = readFailure.get();
			if (failed != null) {
				throw (failed instanceof SQLException sql) ? sql
						: new SQLException("Reading " + table.name() + " failed: " + failed, failed);
			}
			in.endCopy();
			in = null;
			copied.accept(before + rows);
			return rows;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new SQLException("Interrupted while copying " + table.name(), ex);
		}
		finally {
			giveUp.set(true);
			reader.interrupt();
			if (awaitReader(reader) && out.isActive()) {
				out.cancelCopy();
			}
			if (in != null && in.isActive()) {
				in.cancelCopy();
			}
		}
	}

	/**
	 * Reads the rows of {@code out} into batches until the end, a failure (kept for the
	 * writer) or the writer giving up; ends with {@link #END} unless the writer gave up.
	 */
	private static void readRows(CopyOut out, BlockingQueue<Batch> batches, AtomicReference<Exception> failure,
			AtomicBoolean giveUp) {
		try {
			try {
				byte[] buffer = new byte[COPY_BUFFER];
				int filled = 0;
				long rows = 0;
				byte[] row;
				while (!giveUp.get() && (row = out.readFromCopy()) != null) {
					if (filled > 0 && filled + row.length > buffer.length) {
						batches.put(new Batch(buffer, filled, rows));
						buffer = new byte[COPY_BUFFER];
						filled = 0;
					}
					rows++;
					if (row.length > buffer.length) {
						batches.put(new Batch(row, row.length, rows));
					}
					else {
						System.arraycopy(row, 0, buffer, filled, row.length);
						filled += row.length;
					}
				}
				if (filled > 0 && !giveUp.get()) {
					batches.put(new Batch(buffer, filled, rows));
				}
			}
			catch (SQLException | RuntimeException ex) {
				failure.set(ex);
			}
			batches.put(END);
		}
		catch (InterruptedException ex) {
			// The writer gave up and no longer takes batches.
			Thread.currentThread().interrupt();
		}
	}

	/** Whether the reader has ended (it reads on until its next row at most). */
	private static boolean awaitReader(Thread reader) {
		try {
			reader.join(30_000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return !reader.isAlive();
	}

	private static Connection replicationConnection(Store source) throws SQLException {
		Properties props = new Properties();
		PGProperty.USER.set(props, source.username());
		PGProperty.PASSWORD.set(props, source.password());
		PGProperty.REPLICATION.set(props, "database");
		PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "9.4");
		PGProperty.PREFER_QUERY_MODE.set(props, "simple");
		return DriverManager.getConnection(source.jdbcUrl(), props);
	}

	private static void dropSlot(Store source, String slot) throws SQLException {
		try (Connection con = source.connect();
				PreparedStatement ps = con.prepareStatement(
						"select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = ?")) {
			ps.setString(1, slot);
			ps.execute();
		}
	}

}
