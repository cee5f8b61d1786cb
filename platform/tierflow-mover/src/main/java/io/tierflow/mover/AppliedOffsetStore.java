package io.tierflow.mover;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;

/**
 * The Debezium engine's offset storage for a move: starts from the position stored with
 * the applied rows in the target ({@link AppliedPosition}). The engine's own offset
 * commits only keep memory current (and let the connector confirm the position to the
 * replication slot); the durable position is the one the applier writes in its
 * transactions, so it can never run ahead of, or behind, the rows.
 */
public class AppliedOffsetStore extends MemoryOffsetBackingStore {

	static final String TARGET_URL = "tierflow.mover.target.url";

	static final String TARGET_USER = "tierflow.mover.target.user";

	static final String TARGET_PASSWORD = "tierflow.mover.target.password";

	static final String MOVE_ID = "tierflow.mover.move-id";

	@Override
	public void configure(WorkerConfig config) {
		super.configure(config);
		Map<String, Object> settings = config.originals();
		UUID move = UUID.fromString((String) settings.get(MOVE_ID));
		try (Connection con = DriverManager.getConnection((String) settings.get(TARGET_URL),
				(String) settings.get(TARGET_USER), (String) settings.get(TARGET_PASSWORD))) {
			AppliedPosition.load(con, move)
				.ifPresent((stored) -> this.data.put(ByteBuffer.wrap(stored.key()), ByteBuffer.wrap(stored.value())));
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Cannot read the applied position of move " + move, ex);
		}
	}

	@Override
	public Set<Map<String, Object>> connectorPartitions(String connectorName) {
		return Set.of();
	}

}
