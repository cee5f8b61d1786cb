package io.tierflow.simulation.run;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.tierflow.tenancy.context.TenantContext;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Runs of the current tenant, on the tenancy core's JdbcClient (no tenant filter: the
 * core routes and guards every statement).
 */
@Repository
class RunRepository {

	private static final String COLUMNS = "id, model_id, status, iterations, seed, iterations_done, requested_by,"
			+ " created_at, started_at, finished_at, cpu_ms, duration_ms, error";

	private final JdbcClient jdbc;

	private final JsonMapper json;

	RunRepository(JdbcClient jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	/**
	 * Holds the current tenant's run-admission lock until the transaction ends: quota
	 * checks of one tenant line up here, so two racing requests never both pass. The key
	 * is derived from the tenant id (a collision only makes two tenants wait for each
	 * other).
	 */
	void lockAdmission() {
		UUID tenant = TenantContext.require();
		long key = tenant.getMostSignificantBits() ^ tenant.getLeastSignificantBits() ^ 0x5349_4D52_554E_0001L;
		this.jdbc.sql("select pg_advisory_xact_lock(?)").param(key).query((rs, i) -> 1).single();
	}

	long countActive() {
		return this.jdbc.sql("select count(*) from simulation_run where status in ('QUEUED', 'RUNNING')")
			.query(Long.class)
			.single();
	}

	long countCreatedSince(OffsetDateTime since) {
		return this.jdbc.sql("select count(*) from simulation_run where created_at >= ?")
			.param(since)
			.query(Long.class)
			.single();
	}

	Run insertRunning(UUID id, UUID modelId, long iterations, long seed, String requestedBy) {
		return this.jdbc
			.sql("insert into simulation_run (tenant_id, id, model_id, iterations, seed, status, requested_by,"
					+ " started_at, heartbeat_at) values (?, ?, ?, ?, ?, 'RUNNING', ?, now(), now()) returning "
					+ COLUMNS)
			.params(TenantContext.require(), id, modelId, iterations, seed, requestedBy)
			.query((rs, i) -> row(rs, false))
			.single();
	}

	Optional<Run> find(UUID id) {
		return this.jdbc.sql("select " + COLUMNS + ", result::text from simulation_run where id = ?")
			.param(id)
			.query((rs, i) -> row(rs, true))
			.optional();
	}

	/** Newest first (ids are time-ordered). */
	List<Run> page(int limit, long offset) {
		return this.jdbc.sql("select " + COLUMNS + " from simulation_run order by id desc limit ? offset ?")
			.params(limit, offset)
			.query((rs, i) -> row(rs, false))
			.list();
	}

	/**
	 * Records the end of a run that is still RUNNING.
	 * @return the finished run, or empty when it had already ended (the sweep failed it)
	 */
	Optional<Run> finish(UUID id, RunState status, long iterationsDone, Long cpuMillis, Long durationMillis,
			String result, String error) {
		return this.jdbc
			.sql("update simulation_run set status = ?, finished_at = now(), iterations_done = ?, cpu_ms = ?,"
					+ " duration_ms = ?, result = ?::jsonb, error = ? where id = ? and status = 'RUNNING' returning "
					+ COLUMNS + ", result::text")
			.params(status.name(), iterationsDone, cpuMillis, durationMillis, result, error, id)
			.query((rs, i) -> row(rs, true))
			.optional();
	}

	/**
	 * Marks a RUNNING run as asked to stop, for whichever instance computes it.
	 * @return whether it was RUNNING
	 */
	boolean requestCancel(UUID id) {
		return this.jdbc.sql("update simulation_run set cancel_requested = true where id = ? and status = 'RUNNING'")
			.param(id)
			.update() > 0;
	}

	/**
	 * Records that this instance still computes the run, and how far it got.
	 * @return whether a cancellation has been asked for; empty if the run is no longer
	 * RUNNING
	 */
	Optional<Boolean> heartbeat(UUID id, long iterationsDone) {
		return this.jdbc
			.sql("update simulation_run set heartbeat_at = now(), iterations_done = greatest(iterations_done, ?)"
					+ " where id = ? and status = 'RUNNING' returning cancel_requested")
			.params(iterationsDone, id)
			.query(Boolean.class)
			.optional();
	}

	/** RUNNING runs whose heartbeat stopped before {@code seconds} ago, locked. */
	List<Run> lockStale(long seconds) {
		return this.jdbc
			.sql("select " + COLUMNS + " from simulation_run where status in ('QUEUED', 'RUNNING')"
					+ " and coalesce(heartbeat_at, created_at) < now() - make_interval(secs => ?)"
					+ " order by id for update skip locked limit 100")
			.param(seconds)
			.query((rs, i) -> row(rs, false))
			.list();
	}

	/** Fails a run that was lost, whatever instance had it. */
	Optional<Run> failLost(UUID id, String error) {
		return this.jdbc
			.sql("update simulation_run set status = 'FAILED', finished_at = now(), error = ?"
					+ " where id = ? and status in ('QUEUED', 'RUNNING') returning " + COLUMNS)
			.params(error, id)
			.query((rs, i) -> row(rs, false))
			.optional();
	}

	private Run row(ResultSet rs, boolean withResult) throws SQLException {
		long iterations = rs.getLong("iterations");
		long done = rs.getLong("iterations_done");
		String result = withResult ? rs.getString("result") : null;
		return new Run(rs.getObject("id", UUID.class), rs.getObject("model_id", UUID.class),
				RunState.valueOf(rs.getString("status")), iterations, rs.getLong("seed"), done,
				Run.percent(done, iterations), rs.getString("requested_by"),
				rs.getObject("created_at", OffsetDateTime.class), rs.getObject("started_at", OffsetDateTime.class),
				rs.getObject("finished_at", OffsetDateTime.class), rs.getObject("cpu_ms", Long.class),
				rs.getObject("duration_ms", Long.class), (result != null) ? this.json.readTree(result) : null,
				rs.getString("error"));
	}

}
