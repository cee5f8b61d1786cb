package io.tierflow.mover;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tierflow.events.tenant.MovePhase;
import io.tierflow.tenancy.placement.ConflictingMoveException;
import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.StoreKey;
import io.tierflow.tenancy.placement.TenantPlacement;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The control table of moves ({@code tenant_move}): what each move is doing, so that
 * progress can be shown while it runs and a move whose process died can be finished or
 * rolled back at start-up. Running moves beat a heartbeat; a silent one is dead. A move's
 * end is recorded in the control transaction that tells {@link TenantMover.Outcomes}.
 */
final class MoveRecords {

	/**
	 * A move as recorded: where from, where to, how far.
	 *
	 * @param phase a {@link MovePhase}'s name while it runs; DONE or ABORTED once it
	 * ended
	 */
	record Move(UUID move, UUID tenant, long fromEpoch, StoreKey from, IsolationMode fromIsolation, String toTier,
			StoreKey to, IsolationMode toIsolation, String phase, String outcome, TenantMover.Request request,
			long changesApplied) {
	}

	private final JdbcClient control;

	private final TransactionTemplate controlTx;

	private final TenantMover.Outcomes outcomes;

	MoveRecords(JdbcClient control, TransactionTemplate controlTx, TenantMover.Outcomes outcomes) {
		this.control = control;
		this.controlTx = controlTx;
		this.outcomes = outcomes;
	}

	/**
	 * Records a move that starts.
	 * @throws ConflictingMoveException when the tenant has a move running
	 */
	void start(UUID move, TenantPlacement from, TenantPlacement to, TenantMover.Request request) {
		try {
			this.control.sql(
					"insert into tenant_move (move_id, tenant_id, from_epoch, from_cluster, from_database, from_schema,"
							+ " from_isolation, to_tier, to_cluster, to_database, to_schema, to_isolation, phase,"
							+ " change_id, rollback) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
				.params(move, from.tenantId(), from.epoch(), from.cluster(), from.database(), from.schema(),
						from.isolation().name(), to.tier().name(), to.cluster(), to.database(), to.schema(),
						to.isolation().name(), MovePhase.PREPARING.name(),
						(request != null) ? request.changeId() : null, request != null && request.rollback())
				.update();
		}
		catch (DuplicateKeyException ex) {
			throw new ConflictingMoveException(from.tenantId());
		}
	}

	/** The move is alive: it runs, whatever its phase is doing. */
	void beat(UUID move) {
		this.control.sql("update tenant_move set heartbeat_at = now() where move_id = ? and outcome is null")
			.param(move)
			.update();
	}

	void phase(UUID move, MovePhase phase, long changesApplied, Duration lag) {
		this.control
			.sql("update tenant_move set phase = ?, changes_applied = ?, lag_ms = coalesce(?, lag_ms),"
					+ " heartbeat_at = now() where move_id = ?")
			.params(phase.name(), changesApplied, (lag != null) ? lag.toMillis() : null, move)
			.update();
	}

	/**
	 * Records how a move ended and tells {@link TenantMover.Outcomes}, in one
	 * transaction.
	 */
	void end(TenantMover.Outcome outcome) {
		this.controlTx.executeWithoutResult((s) -> {
			end(outcome.move(), outcome.succeeded(), outcome.reason(), outcome.checksums(), outcome.fenced());
			this.outcomes.ended(outcome);
		});
	}

	private void end(UUID move, boolean succeeded, String reason, Map<String, TableChecksum> checksums,
			Duration fenced) {
		this.control
			.sql("update tenant_move set outcome = ?, reason = ?, checksums = ?, fenced_ms = ?, ended_at = now(),"
					+ " heartbeat_at = now(), phase = ? where move_id = ?")
			.params(succeeded ? "SUCCEEDED" : "ABORTED", reason, checksums.isEmpty() ? null : checksums.toString(),
					(fenced != null) ? fenced.toMillis() : null, succeeded ? "DONE" : "ABORTED", move)
			.update();
	}

	/** Whether a move was recorded for {@code request} (running or ended). */
	boolean exists(TenantMover.Request request) {
		return this.control.sql("select count(*) from tenant_move where change_id = ? and rollback = ?")
			.params(request.changeId(), request.rollback())
			.query(Long.class)
			.single() > 0;
	}

	/** Moves without an outcome whose heartbeat is older than {@code silence}. */
	List<Move> silent(Duration silence) {
		return this.control
			.sql("select * from tenant_move where outcome is null and heartbeat_at < now() - ?::interval")
			.param(silence.toMillis() + " milliseconds")
			.query(MoveRecords::move)
			.list();
	}

	/** Moves that ended within {@code since}: their capture must be gone. */
	List<Move> endedWithin(Duration since) {
		return this.control
			.sql("select * from tenant_move where outcome is not null and ended_at > now() - ?::interval")
			.param(since.toMillis() + " milliseconds")
			.query(MoveRecords::move)
			.list();
	}

	private static Move move(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
		UUID change = rs.getObject("change_id", UUID.class);
		return new Move(rs.getObject("move_id", UUID.class), rs.getObject("tenant_id", UUID.class),
				rs.getLong("from_epoch"),
				new StoreKey(rs.getString("from_cluster"), rs.getString("from_database"), rs.getString("from_schema")),
				IsolationMode.valueOf(rs.getString("from_isolation")), rs.getString("to_tier"),
				new StoreKey(rs.getString("to_cluster"), rs.getString("to_database"), rs.getString("to_schema")),
				IsolationMode.valueOf(rs.getString("to_isolation")), rs.getString("phase"), rs.getString("outcome"),
				(change != null) ? new TenantMover.Request(change, rs.getBoolean("rollback")) : null,
				rs.getLong("changes_applied"));
	}

}
