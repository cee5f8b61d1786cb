package io.tierflow.tenant.tenant;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import io.tierflow.events.tenant.MovePhase;
import io.tierflow.events.tenant.TenantMigrated;
import io.tierflow.events.tenant.TenantMigrated.Checksum;
import io.tierflow.events.tenant.TenantMoveProgress;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenant.tenant.TierChange.Kind;
import io.tierflow.tenant.tenant.TierChange.Move;
import io.tierflow.tenant.tenant.TierChange.MoveStatus;
import io.tierflow.tenant.tenant.TierChange.Status;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Tier changes and their per-service moves. */
@Repository
class TierChangeRepository {

	private static final String COLUMNS = "id, tenant_id, kind, from_plan, to_plan, from_tier, to_tier, status,"
			+ " services, reason, requested_by, requested_at, finished_at";

	private static final String OPEN = "status in ('REQUESTED', 'ROLLING_BACK')";

	private static final TypeReference<Map<String, Checksum>> CHECKSUMS = new TypeReference<>() {
	};

	private final JdbcClient jdbc;

	private final JsonMapper json;

	TierChangeRepository(JdbcClient jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	void insert(UUID id, UUID tenantId, Kind kind, Plan from, Plan to, Status status, List<String> services,
			String requestedBy) {
		this.jdbc
			.sql("insert into tier_change (id, tenant_id, kind, from_plan, to_plan, from_tier, to_tier, status,"
					+ " services, requested_by, finished_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
					+ " case when ? then now() end)")
			.params(id, tenantId, kind.name(), from.name(), to.name(), from.tier().name(), to.tier().name(),
					status.name(), services.toArray(String[]::new), requestedBy, !status.isOpen())
			.update();
	}

	/** Adds a PENDING move per service to a round of the change. */
	void insertPendingMoves(UUID changeId, Collection<String> services, boolean rollback) {
		for (String service : services) {
			this.jdbc.sql("insert into tier_change_move (change_id, service, rollback) values (?, ?, ?)")
				.params(changeId, service, rollback)
				.update();
		}
	}

	Optional<Change> find(UUID id) {
		return this.jdbc.sql("select " + COLUMNS + " from tier_change where id = ?")
			.param(id)
			.query(this::change)
			.optional();
	}

	/** The tenant's open change with its moves, if it has one. */
	Optional<TierChange> open(UUID tenantId) {
		return this.jdbc.sql("select " + COLUMNS + " from tier_change where tenant_id = ? and " + OPEN)
			.param(tenantId)
			.query(this::change)
			.optional()
			.map((c) -> c.view(moves(c.id())));
	}

	/** The tenant's changes with their moves, newest first. */
	List<TierChange> history(UUID tenantId, int limit, long offset) {
		List<Change> changes = this.jdbc
			.sql("select " + COLUMNS + " from tier_change where tenant_id = ? order by requested_at desc, id desc"
					+ " limit ? offset ?")
			.params(tenantId, limit, offset)
			.query(this::change)
			.list();
		if (changes.isEmpty()) {
			return List.of();
		}
		Map<UUID, List<Move>> moves = this.jdbc
			.sql("select * from tier_change_move where change_id in (select id from tier_change where tenant_id = ?"
					+ " order by requested_at desc, id desc limit ? offset ?) order by rollback, service")
			.params(tenantId, limit, offset)
			.query((rs, i) -> Map.entry(rs.getObject("change_id", UUID.class), move(rs)))
			.list()
			.stream()
			.collect(Collectors.groupingBy(Map.Entry::getKey, LinkedHashMap::new,
					Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
		return changes.stream().map((c) -> c.view(moves.getOrDefault(c.id(), List.of()))).toList();
	}

	/** The moves of a change, forward round first. */
	List<Move> moves(UUID changeId) {
		return this.jdbc.sql("select * from tier_change_move where change_id = ? order by rollback, service")
			.param(changeId)
			.query((rs, i) -> move(rs))
			.list();
	}

	/** The moves of one round of a change. */
	List<Move> round(UUID changeId, boolean rollback) {
		return this.jdbc.sql("select * from tier_change_move where change_id = ? and rollback = ? order by service")
			.params(changeId, rollback)
			.query((rs, i) -> move(rs))
			.list();
	}

	/**
	 * Records a service's progress, unless its move is final already.
	 * @return whether a move was updated
	 */
	boolean recordProgress(TenantMoveProgress p) {
		return this.jdbc
			.sql("update tier_change_move set status = 'RUNNING', move_id = coalesce(?, move_id), phase = ?,"
					+ " changes_applied = ?, lag_ms = ?, updated_at = now()"
					+ " where change_id = ? and service = ? and rollback = ? and status in ('PENDING', 'RUNNING')")
			.params(p.moveId(), (p.phase() != null) ? p.phase().name() : null, p.changesApplied(), p.lagMs(),
					p.changeId(), p.service(), p.rollback())
			.update() > 0;
	}

	/**
	 * Records how a service's move ended, unless it is final already.
	 * @return whether a move was updated
	 */
	boolean recordResult(TenantMigrated m) {
		return this.jdbc
			.sql("update tier_change_move set status = ?, move_id = coalesce(?, move_id), changes_applied = ?,"
					+ " reason = ?, checksums = ?::jsonb, fenced_ms = ?, tier = ?, isolation = ?, cluster = ?,"
					+ " epoch = ?, updated_at = now()"
					+ " where change_id = ? and service = ? and rollback = ? and status in ('PENDING', 'RUNNING')")
			.params((m.succeeded() ? MoveStatus.SUCCEEDED : MoveStatus.FAILED).name(), m.moveId(), m.changesApplied(),
					m.reason(), (m.checksums() != null) ? this.json.writeValueAsString(m.checksums()) : null,
					m.fencedMs(), (m.tier() != null) ? m.tier().name() : null,
					(m.isolation() != null) ? m.isolation().name() : null, m.cluster(), m.epoch(), m.changeId(),
					m.service(), m.rollback())
			.update() > 0;
	}

	/** Moves the change to a new status, recording the reason and, once final, when. */
	void updateStatus(UUID id, Status status, String reason) {
		this.jdbc
			.sql("update tier_change set status = ?, reason = ?,"
					+ " finished_at = case when ? then now() else finished_at end where id = ?")
			.params(status.name(), reason, !status.isOpen(), id)
			.update();
	}

	private Change change(ResultSet rs, int i) throws SQLException {
		Array services = rs.getArray("services");
		return new Change(rs.getObject("id", UUID.class), rs.getObject("tenant_id", UUID.class),
				Kind.valueOf(rs.getString("kind")), Plan.valueOf(rs.getString("from_plan")),
				Plan.valueOf(rs.getString("to_plan")), Tier.valueOf(rs.getString("from_tier")),
				Tier.valueOf(rs.getString("to_tier")), Status.valueOf(rs.getString("status")),
				List.of((String[]) services.getArray()), rs.getString("reason"), rs.getString("requested_by"),
				rs.getObject("requested_at", OffsetDateTime.class), rs.getObject("finished_at", OffsetDateTime.class));
	}

	private Move move(ResultSet rs) throws SQLException {
		String checksums = rs.getString("checksums");
		String tier = rs.getString("tier");
		String phase = rs.getString("phase");
		return new Move(rs.getString("service"), rs.getBoolean("rollback"), MoveStatus.valueOf(rs.getString("status")),
				rs.getObject("move_id", UUID.class), (phase != null) ? MovePhase.valueOf(phase) : null,
				rs.getLong("changes_applied"), (Long) rs.getObject("lag_ms"), rs.getString("reason"),
				(tier != null) ? Tier.valueOf(tier) : null, rs.getString("isolation"), rs.getString("cluster"),
				(Long) rs.getObject("epoch"), (Long) rs.getObject("fenced_ms"),
				(checksums != null) ? this.json.readValue(checksums, CHECKSUMS) : null,
				rs.getObject("updated_at", OffsetDateTime.class));
	}

	/** A tier_change row. */
	record Change(UUID id, UUID tenantId, Kind kind, Plan fromPlan, Plan toPlan, Tier fromTier, Tier toTier,
			Status status, List<String> services, String reason, String requestedBy, OffsetDateTime requestedAt,
			OffsetDateTime finishedAt) {

		TierChange view(List<Move> moves) {
			return new TierChange(this.id, this.kind, this.fromPlan, this.toPlan, this.fromTier, this.toTier,
					this.status, this.services, this.reason, this.requestedBy, this.requestedAt, this.finishedAt,
					moves);
		}

	}

}
