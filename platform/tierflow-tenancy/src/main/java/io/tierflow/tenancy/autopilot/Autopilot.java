package io.tierflow.tenancy.autopilot;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.github.f4b6a3.uuid.UuidCreator;
import io.tierflow.tenancy.autopilot.PlacementAdvisor.Advice;
import io.tierflow.tenancy.placement.Tier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Placement as a control loop, per service: each tenant's figures
 * ({@link TenantStatistics}) against the {@link PlacementPolicy}
 * ({@link PlacementAdvisor}) give recommendations; an operator approves one, or a policy
 * with {@code autoApply} approves them itself; approved decisions become moves through
 * {@link TenantMoves}, at most {@code maxConcurrentMoves} at once and
 * {@code maxConcurrentMovesPerCluster} off one cluster, inside the policy's time window.
 * Every decision, who made it, why, the figures behind it and the move's outcome are rows
 * of {@code placement_decision}: the placement's audit trail.
 *
 * <p>
 * The tenant's plan is the floor ({@code tenant_placement.plan_tier}): the autopilot
 * never places a tenant below it, and billing goes on charging by the plan.
 */
public class Autopilot implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(Autopilot.class);

	private final JdbcClient control;

	private final TenantStatistics statistics;

	private final PlacementPolicy configured;

	private final TenantMoves moves;

	private final Clock clock;

	private final JsonMapper json = JsonMapper.builder().build();

	private final ExecutorService movers = Executors.newCachedThreadPool((r) -> {
		Thread thread = new Thread(r, "tierflow-autopilot-move");
		thread.setDaemon(true);
		return thread;
	});

	public Autopilot(JdbcClient control, TenantStatistics statistics, PlacementPolicy configured, TenantMoves moves,
			Clock clock) {
		this.control = control;
		this.statistics = statistics;
		this.configured = configured;
		this.moves = moves;
		this.clock = clock;
	}

	/** The policy in force: the one set over the API, else the configured one. */
	public PlacementPolicy policy() {
		return this.control.sql("select policy::text from placement_policy where id = 1")
			.query(String.class)
			.optional()
			.map((text) -> this.json.readValue(text, PlacementPolicy.class))
			.orElse(this.configured);
	}

	/** Sets the policy of every instance. */
	public PlacementPolicy setPolicy(PlacementPolicy policy, String by) {
		this.control.sql("""
				insert into placement_policy (id, policy, updated_by) values (1, ?::jsonb, ?)
				on conflict (id) do update set policy = excluded.policy, updated_by = excluded.updated_by,
				  updated_at = now()""").params(this.json.writeValueAsString(policy), by).update();
		log.info("Placement policy set by {}: {}", by, policy);
		return policy();
	}

	/**
	 * The tenants whose placement the policy would change (all the tenants with figures
	 * when {@code all}), strongest call first.
	 */
	public List<Recommendation> recommendations(boolean all, int limit) {
		PlacementPolicy policy = policy();
		Instant now = this.clock.instant();
		List<Recommendation> found = new ArrayList<>();
		for (Candidate c : candidates(null)) {
			Recommendation r = recommend(policy, c, now);
			if (all || r.advice().moves()) {
				found.add(r);
			}
		}
		found.sort((a, b) -> b.advice().target().compareTo(a.advice().target()));
		return found.subList(0, Math.min(limit, found.size()));
	}

	/** Where the policy places one tenant, or empty if it is not placed here. */
	public Optional<Recommendation> recommendation(UUID tenant) {
		return candidates(tenant).stream().findFirst().map((c) -> recommend(policy(), c, this.clock.instant()));
	}

	/**
	 * Approves the move the policy recommends for the tenant: it starts as soon as the
	 * guardrails let it.
	 * @throws AutopilotConflictException if there is nothing to move, the tenant is
	 * cooling down, or a decision of it is open
	 */
	public Decision approve(UUID tenant, String by) {
		Recommendation r = recommendation(tenant).orElseThrow(() -> new AutopilotNotFoundException(tenant));
		return decide(r, by, "APPROVED");
	}

	/** Pins a tenant to a tier (never below its plan), or freezes it where it is. */
	public void override(UUID tenant, Tier pin, boolean freeze, String reason, String by) {
		this.control.sql("""
				insert into placement_override (tenant_id, mode, tier, reason, created_by) values (?, ?, ?, ?, ?)
				on conflict (tenant_id) do update set mode = excluded.mode, tier = excluded.tier,
				  reason = excluded.reason, created_by = excluded.created_by, created_at = now()""")
			.params(tenant, freeze ? "FREEZE" : "PIN", (pin != null) ? pin.name() : null, reason, by)
			.update();
	}

	/** Lifts the tenant's override. @return whether it had one */
	public boolean clearOverride(UUID tenant) {
		return this.control.sql("delete from placement_override where tenant_id = ?").param(tenant).update() > 0;
	}

	/** The latest decisions, newest first; of one tenant when given. */
	public List<Decision> decisions(UUID tenant, int limit) {
		return this.control
			.sql("select " + DECISION_COLUMNS + " from placement_decision"
					+ " where (?::uuid is null or tenant_id = ?) order by created_at desc limit ?")
			.params(tenant, tenant, limit)
			.query(Autopilot::decision)
			.list();
	}

	/**
	 * One turn of the loop, on the instance holding the autopilot's lease: closes the
	 * statistics windows, measures the tenants due, approves what an automatic policy
	 * calls for, and starts the approved moves the guardrails allow.
	 */
	public void turn(java.time.Duration window, int measureLimit) {
		// A decision whose instance stopped mid-move: the mover rolled its move back (or
		// finished it), and nothing runs for its tenant any more.
		int orphaned = this.control.sql("""
				update placement_decision d set state = 'FAILED', ended_at = now(),
				  error = 'its move is no longer running: the instance carrying it out stopped'
				where state = 'MOVING' and created_at < now() - interval '2 minutes'
				  and not exists (select 1 from tenant_move m where m.tenant_id = d.tenant_id and m.outcome is null)""")
			.update();
		if (orphaned > 0) {
			log.warn("Autopilot: {} decisions were left moving by a stopped instance; marked FAILED", orphaned);
		}
		this.statistics.closeWindows(window);
		this.statistics.measure(measureLimit);
		PlacementPolicy policy = policy();
		if (policy.autoApply()) {
			Instant now = this.clock.instant();
			for (Candidate c : candidates(null)) {
				Recommendation r = recommend(policy, c, now);
				if (r.advice().actionable() && r.openDecision() == null) {
					try {
						decide(r, "autopilot", "AUTO");
					}
					catch (AutopilotConflictException ex) {
						log.debug("Not applied: {}", ex.getMessage());
					}
				}
			}
		}
		startApproved(policy);
	}

	/** Starts approved decisions within the guardrails and the time window. */
	void startApproved(PlacementPolicy policy) {
		if (!policy.inWindow(LocalTime.ofInstant(this.clock.instant(), ZoneOffset.UTC))) {
			return;
		}
		List<Decision> open = this.control
			.sql("select " + DECISION_COLUMNS + " from placement_decision where state in ('QUEUED', 'MOVING')"
					+ " order by created_at")
			.query(Autopilot::decision)
			.list();
		int moving = (int) open.stream().filter((d) -> d.state().equals("MOVING")).count();
		Map<String, Integer> perCluster = new HashMap<>();
		open.stream()
			.filter((d) -> d.state().equals("MOVING"))
			.forEach((d) -> perCluster.merge(d.fromCluster(), 1, Integer::sum));
		for (Decision d : open) {
			if (!d.state().equals("QUEUED")) {
				continue;
			}
			if (moving >= policy.maxConcurrentMoves()) {
				break;
			}
			if (perCluster.getOrDefault(d.fromCluster(), 0) >= policy.maxConcurrentMovesPerCluster()) {
				continue;
			}
			int claimed = this.control
				.sql("update placement_decision set state = 'MOVING' where decision_id = ? and state = 'QUEUED'")
				.param(d.id())
				.update();
			if (claimed == 0) {
				continue;
			}
			moving++;
			perCluster.merge(d.fromCluster(), 1, Integer::sum);
			this.movers.execute(() -> carryOut(d));
		}
	}

	private void carryOut(Decision d) {
		log.info("Autopilot: moving tenant {} from {} to {} ({}, {})", d.tenantId(), d.fromTier(), d.toTier(), d.mode(),
				d.reason());
		String state;
		String error = null;
		UUID move = null;
		try {
			TenantMoves.Result result = this.moves.move(d.tenantId(), Tier.valueOf(d.toTier()));
			move = result.move();
			state = result.succeeded() ? "MOVED" : "FAILED";
			error = result.reason();
		}
		catch (Exception ex) {
			state = "FAILED";
			error = ex.toString();
		}
		this.control
			.sql("update placement_decision set state = ?, move_id = ?, error = ?, ended_at = now()"
					+ " where decision_id = ?")
			.params(state, move, error, d.id())
			.update();
		log.info("Autopilot: tenant {} {} ({})", d.tenantId(),
				state.equals("MOVED") ? "moved to " + d.toTier() : "not moved", (error != null) ? error : "verified");
	}

	private Decision decide(Recommendation r, String by, String mode) {
		Advice a = r.advice();
		if (!a.moves()) {
			throw new AutopilotConflictException(
					"Tenant " + r.tenantId() + " is where the policy places it: " + String.join("; ", a.reasons()));
		}
		if (!a.actionable()) {
			throw new AutopilotConflictException(
					"Tenant " + r.tenantId() + " cannot move now: " + String.join("; ", a.reasons()));
		}
		if (r.openDecision() != null) {
			throw new AutopilotConflictException(
					"Tenant " + r.tenantId() + " has a decision under way: " + r.openDecision());
		}
		UUID id = UuidCreator.getTimeOrderedEpoch();
		this.control.sql("""
				insert into placement_decision (decision_id, tenant_id, from_tier, from_cluster, to_tier, reason,
				  figures, decided_by, mode, state)
				values (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, 'QUEUED')""")
			.params(id, r.tenantId(), a.current().name(), r.cluster(), a.target().name(),
					String.join("; ", a.reasons()), this.json.writeValueAsString(r.figures()), by, mode)
			.update();
		log.info("Autopilot: {} decided to move tenant {} from {} to {} ({}): {}", by, r.tenantId(), a.current(),
				a.target(), mode, String.join("; ", a.reasons()));
		return this.control.sql("select " + DECISION_COLUMNS + " from placement_decision where decision_id = ?")
			.param(id)
			.query(Autopilot::decision)
			.single();
	}

	private Recommendation recommend(PlacementPolicy policy, Candidate c, Instant now) {
		Advice advice = PlacementAdvisor.advise(policy, c.figures(), c.plan(), c.tier(), c.override(), c.lastMove(),
				now);
		return new Recommendation(c.tenantId(), c.plan(), c.cluster(), advice, c.figures(), c.openDecision());
	}

	/** Placed tenants with their figures, override, last move and open decision. */
	private List<Candidate> candidates(UUID only) {
		return this.control
			.sql("""
					select p.tenant_id, p.tier, coalesce(p.plan_tier, p.tier), p.cluster,
					  s.rows, s.bytes, s.p95_ms, s.writes_per_s, o.mode, o.tier, o.reason,
					  (select max(d.ended_at) from placement_decision d where d.tenant_id = p.tenant_id and d.state = 'MOVED'),
					  (select d.decision_id from placement_decision d where d.tenant_id = p.tenant_id
					     and d.state in ('QUEUED', 'MOVING') limit 1)
					from tenant_placement p
					left join tenant_statistics s using (tenant_id)
					left join placement_override o using (tenant_id)
					where p.state = 'READY' and (?::uuid is null or p.tenant_id = ?)
					  and (s.tenant_id is not null or o.tenant_id is not null or ?::uuid is not null)""")
			.params(only, only, only)
			.query(Autopilot::candidate)
			.list();
	}

	private static Candidate candidate(ResultSet rs, int i) throws SQLException {
		PlacementAdvisor.Override override = (rs.getString(9) == null) ? null
				: new PlacementAdvisor.Override((rs.getString(10) != null) ? Tier.valueOf(rs.getString(10)) : null,
						"FREEZE".equals(rs.getString(9)), rs.getString(11));
		OffsetDateTime lastMove = rs.getObject(12, OffsetDateTime.class);
		return new Candidate(rs.getObject(1, UUID.class), Tier.valueOf(rs.getString(2)), Tier.valueOf(rs.getString(3)),
				rs.getString(4),
				new PlacementAdvisor.Figures((Long) rs.getObject(5), (Long) rs.getObject(6), (Double) rs.getObject(7),
						(Double) rs.getObject(8)),
				override, (lastMove != null) ? lastMove.toInstant() : null, rs.getObject(13, UUID.class));
	}

	private static final String DECISION_COLUMNS = "decision_id, tenant_id, from_tier, from_cluster, to_tier, reason,"
			+ " decided_by, mode, state, move_id, error, created_at, ended_at";

	private static Decision decision(ResultSet rs, int i) throws SQLException {
		return new Decision(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
				rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
				rs.getObject(10, UUID.class), rs.getString(11), rs.getObject(12, OffsetDateTime.class),
				rs.getObject(13, OffsetDateTime.class));
	}

	@Override
	public void close() {
		this.movers.shutdownNow();
	}

	private record Candidate(UUID tenantId, Tier tier, Tier plan, String cluster, PlacementAdvisor.Figures figures,
			PlacementAdvisor.Override override, Instant lastMove, UUID openDecision) {
	}

	/**
	 * Where the policy places a tenant, why, and the figures behind it.
	 *
	 * @param openDecision a decision of the tenant approved and not ended, if any
	 */
	public record Recommendation(UUID tenantId, Tier plan, String cluster, Advice advice,
			PlacementAdvisor.Figures figures, UUID openDecision) {
	}

	/**
	 * A placement decision and the move that carried it out.
	 *
	 * @param mode APPROVED by an operator, or AUTO by the policy
	 * @param state QUEUED, MOVING, MOVED or FAILED
	 */
	public record Decision(UUID id, UUID tenantId, String fromTier, String fromCluster, String toTier, String reason,
			String decidedBy, String mode, String state, UUID moveId, String error, OffsetDateTime createdAt,
			OffsetDateTime endedAt) {
	}

}
