package io.tierflow.mover;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.apache.kafka.connect.json.JsonConverter;

/**
 * The source position a move has applied up to, kept in the target database next to the
 * applied rows (schema {@code tierflow_mover}) and written in the same transaction as
 * they are: after a crash the stream resumes exactly there. Stored in the form Kafka
 * Connect's offset storage uses (JSON key {@code [engine, partition]}, JSON offset), so
 * {@link AppliedOffsetStore} hands it to the Debezium engine as is.
 */
final class AppliedPosition {

	static final String SCHEMA = "tierflow_mover";

	private static final ThreadLocal<JsonConverter> CONVERTER = ThreadLocal.withInitial(() -> {
		JsonConverter converter = new JsonConverter();
		converter.configure(Map.of("schemas.enable", false, "converter.type", "key"));
		return converter;
	});

	private AppliedPosition() {
	}

	/** The stored key and value bytes. */
	record Stored(byte[] key, byte[] value, long events) {
	}

	static void ensureTable(Connection con) throws SQLException {
		try (Statement st = con.createStatement()) {
			st.execute("create schema if not exists " + SCHEMA);
			st.execute("create table if not exists " + SCHEMA + ".applied_position (move_id uuid primary key,"
					+ " offset_key text not null, offset_value text not null, events bigint not null,"
					+ " updated_at timestamptz not null default now())");
		}
	}

	static void save(Connection con, UUID move, String engine, Map<String, ?> partition, Map<String, ?> offset,
			long events) throws SQLException {
		JsonConverter converter = CONVERTER.get();
		String key = new String(converter.fromConnectData(engine, null, Arrays.asList(engine, partition)),
				StandardCharsets.UTF_8);
		String value = new String(converter.fromConnectData(engine, null, offset), StandardCharsets.UTF_8);
		try (PreparedStatement ps = con.prepareStatement("insert into " + SCHEMA
				+ ".applied_position (move_id, offset_key, offset_value, events) values (?, ?, ?, ?)"
				+ " on conflict (move_id) do update set offset_key = excluded.offset_key,"
				+ " offset_value = excluded.offset_value, events = applied_position.events + excluded.events,"
				+ " updated_at = now()")) {
			ps.setObject(1, move);
			ps.setString(2, key);
			ps.setString(3, value);
			ps.setLong(4, events);
			ps.executeUpdate();
		}
	}

	static Optional<Stored> load(Connection con, UUID move) throws SQLException {
		ensureTable(con);
		try (PreparedStatement ps = con.prepareStatement(
				"select offset_key, offset_value, events from " + SCHEMA + ".applied_position where move_id = ?")) {
			ps.setObject(1, move);
			try (ResultSet rs = ps.executeQuery()) {
				if (!rs.next()) {
					return Optional.empty();
				}
				return Optional.of(new Stored(rs.getString(1).getBytes(StandardCharsets.UTF_8),
						rs.getString(2).getBytes(StandardCharsets.UTF_8), rs.getLong(3)));
			}
		}
	}

	static void delete(Connection con, UUID move) throws SQLException {
		ensureTable(con);
		try (PreparedStatement ps = con
			.prepareStatement("delete from " + SCHEMA + ".applied_position where move_id = ?")) {
			ps.setObject(1, move);
			ps.executeUpdate();
		}
	}

}
