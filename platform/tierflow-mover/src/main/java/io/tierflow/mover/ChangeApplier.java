package io.tierflow.mover;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/**
 * Applies a batch of change events to the target store in one transaction, in the order
 * they were committed on the source, together with the source position they reach.
 * Inserts and snapshot reads are upserts and deletes are by primary key, so replaying
 * events after a restart converges to the same rows: idempotent, never doubled.
 */
final class ChangeApplier {

	static final String UNAVAILABLE = "__debezium_unavailable_value";

	/** Schema and table of the fence marks ({@code TenantFence}). */
	static final String FENCE_SCHEMA = "tierflow_fence";

	static final String FENCE_TABLE = "moved";

	private final UUID move;

	private final UUID tenant;

	private final String engine;

	private final Store target;

	private final Map<String, TenantTable> tables;

	private volatile Long fenceSeen;

	/**
	 * A mark at which to stop for a moment: commit everything up to and including it,
	 * then run the action (which pins a snapshot of the target exactly there).
	 */
	record Pin(long epoch, SqlAction action) {
	}

	/** Something done against the database that may fail. */
	interface SqlAction {

		void run() throws SQLException;

	}

	private volatile Pin pin;

	/** Whether the initial snapshot's last row, or a streamed change, was applied. */
	private volatile boolean snapshotOver;

	/** The fence mark of the batch being applied, seen once its transaction commits. */
	private Long fencePending;

	/**
	 * The statement being batched, and its SQL: consecutive changes alike go together.
	 */
	private PreparedStatement batch;

	private String batchSql;

	/** The COPY being gathered (snapshot rows), its rows as CSV, and its connection. */
	private String copySql;

	private StringBuilder copyRows;

	private Connection copyConnection;

	/**
	 * Primary keys in the batch: inserts go as one multi-row statement, which may touch a
	 * row only once, so a key coming again starts a new batch.
	 */
	private final Set<List<Object>> batchKeys = new HashSet<>();

	ChangeApplier(UUID move, UUID tenant, String engine, Store target, List<TenantTable> tables) {
		this.move = move;
		this.tenant = tenant;
		this.engine = engine;
		this.target = target;
		this.tables = tables.stream().collect(Collectors.toMap(TenantTable::name, Function.identity()));
	}

	/**
	 * Applies the records; the last one's position is stored with them.
	 * @return the number of row changes applied
	 */
	int apply(Connection con, List<SourceRecord> records) throws SQLException {
		if (records.isEmpty()) {
			return 0;
		}
		int rows = 0;
		int committedRows = 0;
		for (SourceRecord record : records) {
			if (!(record.value() instanceof Struct value) || value.schema().field("op") == null) {
				if (record.topic() != null && record.topic().startsWith("__debezium-heartbeat")) {
					this.snapshotOver = true; // heartbeats come only once streaming
				}
				continue; // a heartbeat or a tombstone: only its position counts
			}
			Struct source = value.getStruct("source");
			String snapshot = source.getString("snapshot");
			if ("last".equals(snapshot) || "false".equals(snapshot) || snapshot == null) {
				this.snapshotOver = true;
			}
			if ("first".equals(source.getString("snapshot"))) {
				// A snapshot begins (again, after a crash during the last one): start
				// from
				// no rows, so that none deleted meanwhile survives from the earlier one.
				flush();
				clear(con);
			}
			if (FENCE_SCHEMA.equals(source.getString("schema"))) {
				// The mover's fence mark: everything the tenant committed before it is
				// applied now (commit order).
				Struct row = value.getStruct("after");
				if (row != null) {
					this.fencePending = row.getInt64("epoch");
					Pin p = this.pin;
					if (p != null && p.epoch() == this.fencePending) {
						flush();
						AppliedPosition.save(con, this.move, this.engine, record.sourcePartition(),
								record.sourceOffset(), rows);
						con.commit();
						committed();
						committedRows += rows;
						rows = 0;
						this.pin = null;
						p.action().run();
					}
				}
				continue;
			}
			TenantTable table = this.tables.get(source.getString("table"));
			if (table == null) {
				throw new IllegalStateException("A change of table " + source.getString("table")
						+ " that the move does not know; known: " + this.tables.keySet());
			}
			String op = value.getString("op");
			switch (op) {
				case "r" -> copy(con, table, value.getStruct("after"));
				case "c", "u" -> upsert(con, table, value.getStruct("after"));
				case "d" -> delete(con, table, value.getStruct("before"));
				default -> throw new IllegalStateException("Unsupported change '" + op + "' on " + table.name()
						+ " (a TRUNCATE cannot be moved by tenant)");
			}
			rows++;
		}
		flush();
		SourceRecord last = records.get(records.size() - 1);
		AppliedPosition.save(con, this.move, this.engine, last.sourcePartition(), last.sourceOffset(), rows);
		return committedRows + rows;
	}

	boolean snapshotOver() {
		return this.snapshotOver;
	}

	void pinAt(Pin pin) {
		this.pin = pin;
	}

	/** The batch's transaction committed: its fence mark, if any, is applied now. */
	void committed() {
		if (this.fencePending != null) {
			this.fenceSeen = this.fencePending;
			this.fencePending = null;
		}
	}

	/** The batch's transaction failed: nothing of it counts. */
	void rolledBack() {
		this.fencePending = null;
		discard();
	}

	private void add(Connection con, String sql, List<Object> key, List<Object> values) throws SQLException {
		if (!sql.equals(this.batchSql) || !this.batchKeys.add(key)) {
			flush();
			this.batchKeys.add(key);
			this.batch = con.prepareStatement(sql);
			this.batchSql = sql;
		}
		for (int i = 0; i < values.size(); i++) {
			this.batch.setObject(i + 1, values.get(i));
		}
		this.batch.addBatch();
	}

	/**
	 * A snapshot row: the target holds none of the tenant's rows while the snapshot runs
	 * (a snapshot that starts again clears them first), so consecutive snapshot rows of a
	 * table go in as one COPY, the fastest way in.
	 */
	private void copy(Connection con, TenantTable table, Struct after) throws SQLException {
		checkTenant(table, after);
		List<String> columns = after.schema().fields().stream().map(Field::name).toList();
		String sql = "copy " + this.target.qualified(table.name()) + " ("
				+ columns.stream().map(Sql::quote).collect(Collectors.joining(", ")) + ") from stdin with (format csv)";
		if (!sql.equals(this.copySql)) {
			flush();
			this.copySql = sql;
			this.copyRows = new StringBuilder();
		}
		StringBuilder line = this.copyRows;
		List<Field> fields = after.schema().fields();
		for (int i = 0; i < fields.size(); i++) {
			if (i > 0) {
				line.append(',');
			}
			Object v = value(fields.get(i).schema(), after.get(fields.get(i)));
			if (v == null) {
				continue; // an unquoted empty field is NULL
			}
			String text = (v instanceof byte[] bytes) ? "\\x" + HexFormat.of().formatHex(bytes)
					: (v instanceof java.nio.ByteBuffer buffer) ? "\\x" + HexFormat.of().formatHex(toArray(buffer))
							: v.toString();
			line.append('"').append(text.replace("\"", "\"\"")).append('"');
		}
		line.append('\n');
		this.copyConnection = con;
	}

	private static byte[] toArray(java.nio.ByteBuffer buffer) {
		byte[] bytes = new byte[buffer.remaining()];
		buffer.duplicate().get(bytes);
		return bytes;
	}

	private void flush() throws SQLException {
		if (this.copySql != null) {
			String sql = this.copySql;
			String rows = this.copyRows.toString();
			this.copySql = null;
			this.copyRows = null;
			try {
				new CopyManager(this.copyConnection.unwrap(BaseConnection.class)).copyIn(sql, new StringReader(rows));
			}
			catch (java.io.IOException ex) {
				throw new SQLException("COPY into the target failed", ex);
			}
		}
		if (this.batch != null) {
			try {
				this.batch.executeBatch();
			}
			finally {
				discard();
			}
		}
	}

	private void discard() {
		this.copySql = null;
		this.copyRows = null;
		if (this.batch != null) {
			try {
				this.batch.close();
			}
			catch (SQLException ex) {
				// Closing a statement of a failed transaction: nothing to keep.
			}
			this.batch = null;
			this.batchSql = null;
			this.batchKeys.clear();
		}
	}

	/** Epoch of the last fence mark seen in the stream, if any. */
	Long fenceSeen() {
		return this.fenceSeen;
	}

	private void clear(Connection con) throws SQLException {
		for (TenantTable table : this.tables.values()) {
			try (PreparedStatement ps = con
				.prepareStatement("delete from " + this.target.qualified(table.name()) + " where tenant_id = ?")) {
				ps.setObject(1, this.tenant);
				ps.executeUpdate();
			}
		}
	}

	private void upsert(Connection con, TenantTable table, Struct after) throws SQLException {
		List<String> columns = new ArrayList<>();
		List<Object> values = new ArrayList<>();
		for (Field field : after.schema().fields()) {
			Object value = after.get(field);
			if (UNAVAILABLE.equals(value)) {
				continue; // an unchanged TOASTed value: keep the target's
			}
			columns.add(field.name());
			values.add(value(field.schema(), value));
		}
		checkTenant(table, after);
		StringBuilder sql = new StringBuilder("insert into ").append(this.target.qualified(table.name())).append(" (");
		sql.append(columns.stream().map(Sql::quote).collect(Collectors.joining(", "))).append(") values (");
		sql.append(columns.stream().map((c) -> "?::" + table.columns().get(c)).collect(Collectors.joining(", ")));
		sql.append(") on conflict (")
			.append(table.primaryKey().stream().map(Sql::quote).collect(Collectors.joining(", ")))
			.append(") do ");
		List<String> updates = columns.stream()
			.filter((c) -> !table.primaryKey().contains(c))
			.map((c) -> Sql.quote(c) + " = excluded." + Sql.quote(c))
			.toList();
		sql.append(updates.isEmpty() ? "nothing" : "update set " + String.join(", ", updates));
		List<Object> key = new ArrayList<>(table.primaryKey().size());
		table.primaryKey().forEach((c) -> key.add(after.get(c)));
		add(con, sql.toString(), key, values);
	}

	private void delete(Connection con, TenantTable table, Struct before) throws SQLException {
		checkTenant(table, before);
		String where = table.primaryKey()
			.stream()
			.map((c) -> Sql.quote(c) + " = ?::" + table.columns().get(c))
			.collect(Collectors.joining(" and "));
		List<Object> values = new ArrayList<>();
		for (String column : table.primaryKey()) {
			Field field = before.schema().field(column);
			values.add(value(field.schema(), before.get(field)));
		}
		add(con, "delete from " + this.target.qualified(table.name()) + " where " + where, values, values);
	}

	/** The publication filters on the tenant; this is the belt to its braces. */
	private void checkTenant(TenantTable table, Struct row) {
		Object tenant = row.get("tenant_id");
		if (!this.tenant.toString().equals(String.valueOf(tenant))) {
			throw new IllegalStateException("A row of tenant " + tenant + " in the stream of tenant " + this.tenant
					+ " (table " + table.name() + ")");
		}
	}

	/** A Debezium value as JDBC binds it; the statement casts it to the column's type. */
	static Object value(Schema schema, Object value) {
		if (value == null || schema.name() == null) {
			return value;
		}
		return switch (schema.name()) {
			case "io.debezium.time.Date" -> LocalDate.ofEpochDay(((Number) value).longValue());
			case "io.debezium.time.Timestamp" ->
				LocalDateTime.ofInstant(Instant.ofEpochMilli(((Number) value).longValue()), ZoneOffset.UTC);
			case "io.debezium.time.MicroTimestamp" -> {
				long micros = ((Number) value).longValue();
				yield LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000),
						(int) Math.floorMod(micros, 1_000_000) * 1000, ZoneOffset.UTC);
			}
			case "io.debezium.time.MicroTime" -> LocalTime.ofNanoOfDay(((Number) value).longValue() * 1000);
			case "io.debezium.time.Time" -> LocalTime.ofNanoOfDay(((Number) value).longValue() * 1_000_000);
			case "io.debezium.time.ZonedTimestamp" -> OffsetDateTime.parse((String) value);
			default -> value;
		};
	}

}
