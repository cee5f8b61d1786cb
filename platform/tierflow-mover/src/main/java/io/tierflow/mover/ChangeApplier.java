package io.tierflow.mover;

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

/**
 * Applies a batch of change events to the target store in one transaction, in the order
 * they were committed on the source, together with the source position they reach.
 * Inserts are upserts and deletes are by primary key, so replaying events after a restart
 * converges to the same rows: idempotent, never doubled.
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

	/** The fence mark of the batch being applied, seen once its transaction commits. */
	private Long fencePending;

	/**
	 * The statement being batched, and its SQL: consecutive changes alike go together.
	 */
	private PreparedStatement batch;

	private String batchSql;

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
				continue; // a heartbeat or a tombstone: only its position counts
			}
			Struct source = value.getStruct("source");
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
				case "c", "u", "r" -> upsert(con, table, value.getStruct("after"));
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

	private void flush() throws SQLException {
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
