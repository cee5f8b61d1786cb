package io.tierflow.mover;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.github.f4b6a3.uuid.UuidCreator;
import io.tierflow.events.tenant.MovePhase;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantFence;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.placement.UnknownTenantException;
import io.tierflow.tenancy.routing.PlacementDirectory;
import io.tierflow.tenancy.routing.PlacementPools;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Moves one tenant's data in this service to the placement another tier (or another
 * cluster) asks for, live: prepares the target at the latest migration version, copies
 * and streams the tenant's rows ({@link TenantChangeStream}), and cuts over only once the
 * stream keeps up — probes written to the source arrive within {@code cutoverLag}. It
 * compares per-table checksums of source and target at one point of the stream, before
 * any writer is held; then the cutover fences the tenant's writes on every instance
 * ({@link TenantFence}), waits until the fence mark itself has been applied to the
 * target, switches the placement (epoch + 1) and lifts the fence; the held writers go on
 * at the target. Anything going wrong before the switch leaves the source authoritative
 * and drops the target. This class plans and records moves; the run is {@code MoveRun},
 * the fence {@code CutoverFence}, finishing and rolling back after a crash
 * {@code MoveRecovery}.
 */
public class TenantMover {

	/**
	 * @param cutoverLag the stream must apply a probe within this to cut over
	 * @param catchUpDeadline how long the stream may take to copy and catch up
	 * @param fenceWait how long writers may be held at most before the move gives up
	 * @param heartbeat how often the stream reports its position while the tenant is
	 * quiet
	 * @param removeSourceAfter when set, the move ends by removing the tenant's data from
	 * the source this long after the switch (instances route by a cached placement until
	 * then); when null the source stays until {@link #removeSource}
	 */
	public record Options(Duration cutoverLag, Duration catchUpDeadline, Duration fenceWait, Duration heartbeat,
			Duration removeSourceAfter) {

		public Options(Duration cutoverLag, Duration catchUpDeadline, Duration fenceWait, Duration heartbeat) {
			this(cutoverLag, catchUpDeadline, fenceWait, heartbeat, null);
		}

		public static Options defaults() {
			return new Options(Duration.ofMillis(200), Duration.ofMinutes(30), Duration.ofSeconds(2),
					Duration.ofSeconds(1));
		}

		public Options removingSourceAfter(Duration wait) {
			return new Options(this.cutoverLag, this.catchUpDeadline, this.fenceWait, this.heartbeat, wait);
		}

	}

	/**
	 * The tier change a move belongs to: recorded with it, handed back in its outcome;
	 * one move per request.
	 */
	public record Request(UUID changeId, boolean rollback) {
	}

	/** A recorded move, ready to run. */
	public record Planned(UUID move, TenantPlacement from, TenantPlacement to, Request request) {
	}

	/**
	 * How a move ended, handed to {@link Outcomes} in the control transaction that
	 * records it.
	 *
	 * @param placement where the tenant's data lives now (the target if it succeeded,
	 * else the source)
	 */
	public record Outcome(UUID move, UUID tenant, Request request, boolean succeeded, String reason,
			TenantPlacement placement, long changesApplied, Map<String, TableChecksum> checksums, Duration fenced) {
	}

	/**
	 * Learns how moves end, inside the control transaction that records the end (so an
	 * answer written to the control outbox commits with it), including moves finished or
	 * rolled back after their process died.
	 */
	public interface Outcomes {

		void ended(Outcome outcome);

		Outcomes NONE = (outcome) -> {
		};

	}

	/**
	 * Phases a move reports, with rows applied so far and the last measured lag.
	 */
	public interface Progress {

		void report(UUID move, MovePhase phase, long changesApplied, Duration lag);

		Progress NONE = (move, phase, changes, lag) -> {
		};

	}

	private final TenantProvisioner provisioner;

	private final StoreRemoval removal;

	private final MoveRecords records;

	private final MoveRun runs;

	private final MoveRecovery recovery;

	public TenantMover(TenantProvisioner provisioner, PlacementRepository placements, TransactionTemplate controlTx,
			JdbcClient control, PlacementPools pools, PlacementDirectory directory) {
		this(provisioner, placements, controlTx, control, pools, directory, Outcomes.NONE);
	}

	public TenantMover(TenantProvisioner provisioner, PlacementRepository placements, TransactionTemplate controlTx,
			JdbcClient control, PlacementPools pools, PlacementDirectory directory, Outcomes outcomes) {
		this(provisioner, placements, controlTx, control, pools, directory, outcomes, new MovePhaseTimers());
	}

	/**
	 * @param phaseTimers times each move's phases
	 */
	public TenantMover(TenantProvisioner provisioner, PlacementRepository placements, TransactionTemplate controlTx,
			JdbcClient control, PlacementPools pools, PlacementDirectory directory, Outcomes outcomes,
			MovePhaseTimers phaseTimers) {
		this.provisioner = provisioner;
		this.removal = new StoreRemoval(placements, controlTx, pools);
		this.records = new MoveRecords(control, controlTx, outcomes);
		this.recovery = new MoveRecovery(provisioner, pools, directory, this.removal, this.records);
		this.runs = new MoveRun(provisioner, placements, controlTx, control, pools, directory, this.removal,
				this.records, this.recovery, phaseTimers);
	}

	/**
	 * Moves the tenant to a placement of {@code tier} in {@code region}; with
	 * {@code avoidCluster}, to another cluster than that one (rebalancing).
	 */
	public MoveReport move(UUID tenant, Tier tier, String region, String avoidCluster, Options options,
			Progress listener) throws SQLException, InterruptedException {
		return run(begin(tenant, tier, region, avoidCluster, null), options, listener);
	}

	/** Whether a move was recorded for {@code request} (running or ended). */
	public boolean recorded(Request request) {
		return this.records.exists(request);
	}

	/**
	 * Plans a move and records it; nothing is created yet. Once recorded, the move ends
	 * with an {@link Outcome} — by {@link #run}, or by recovery if this process dies.
	 * @param request the tier change it belongs to, or null
	 * @throws io.tierflow.tenancy.placement.ConflictingMoveException when the tenant has
	 * a move running
	 * @throws io.tierflow.tenancy.placement.NoPlacementAvailableException when no cluster
	 * can take the tenant
	 */
	public Planned begin(UUID tenant, Tier tier, String region, String avoidCluster, Request request) {
		TenantPlacement from = this.provisioner.find(tenant)
			.filter((p) -> p.state() == PlacementState.READY)
			.orElseThrow(() -> new UnknownTenantException(tenant));
		UUID move = UuidCreator.getTimeOrderedEpoch();
		TenantPlacement to = this.provisioner.planMove(from, tier, region, avoidCluster);
		Store source = this.removal.store(from);
		Store target = this.removal.store(to);
		if (source.jdbcUrl().equals(target.jdbcUrl()) && source.schema().equals(target.schema())) {
			// Two cluster names for one server: the tenant's own database has the same
			// name on both.
			throw new IllegalArgumentException("Tenant " + tenant + " would move onto itself: clusters "
					+ from.cluster() + " and " + to.cluster() + " reach the same database " + target.jdbcUrl());
		}
		// Recorded before anything is created: whatever happens next, the record says
		// what to finish or roll back.
		this.records.start(move, from, to, request);
		return new Planned(move, from, to, request);
	}

	/** Carries out a recorded move. */
	public MoveReport run(Planned planned, Options options, Progress listener)
			throws SQLException, InterruptedException {
		return this.runs.run(planned, options, listener);
	}

	/**
	 * Finishes or rolls back the moves whose process died (no heartbeat for
	 * {@code silence}): a move that switched the placement is finished (its slot and
	 * publication dropped); any other is rolled back — its fence mark taken back, its
	 * target dropped — and the source stays authoritative. Run at start-up.
	 * @return the moves recovered
	 */
	public List<UUID> recover(Duration silence) {
		return this.recovery.recover(silence);
	}

	/**
	 * Drops the replication slots (and their publications) that moves ended within
	 * {@code within} left behind — when dropping them at the end failed, say because the
	 * source was unreachable. A left slot would pin the source's WAL for good.
	 * @return the slots dropped
	 */
	public int reapOrphans(Duration within) {
		return this.recovery.reapOrphans(within);
	}

	/**
	 * Removes the tenant's data from the store it left, once no instance can route to it
	 * any more (wait for the placement cache's time to live after the switch first). The
	 * tenant's outbox rows there are relayed first.
	 */
	public void removeSource(MoveReport report, Duration outboxDrainWait) throws SQLException, InterruptedException {
		this.recovery.removeSource(report, outboxDrainWait);
	}

}
