package io.tierflow.mover;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.tierflow.events.tenant.MovePhase;
import io.tierflow.mover.TenantMover.Options;
import io.tierflow.mover.TenantMover.Outcome;
import io.tierflow.mover.TenantMover.Planned;
import io.tierflow.mover.TenantMover.Progress;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantFence;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.placement.TransientFailures;
import io.tierflow.tenancy.routing.PlacementDirectory;
import io.tierflow.tenancy.routing.PlacementPools;
import io.tierflow.tenancy.routing.StoreWarmer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Carries out one recorded move, phase by phase: prepares the target, copies and streams
 * the tenant's rows until the stream keeps up, verifies the checksums, cuts over behind
 * the {@link CutoverFence} and switches the placement, then ends the move with an
 * {@link Outcome} (removing the source later when asked to). Each phase is reported,
 * recorded and timed. Anything failing before the switch gives the move up: the fence is
 * taken back and what the move created is dropped ({@link MoveRecovery#rollBack}). A
 * {@linkplain TransientFailures transient failure} (a server restarting, a connection
 * cut) does so too, then the move starts over after a pause, up to {@value #ATTEMPTS}
 * times in all.
 */
final class MoveRun {

	// Logs as TenantMover: a move's log lines read as one story.
	private static final Logger log = LoggerFactory.getLogger(TenantMover.class);

	/**
	 * How often a move starts, the first time included, when transient failures stop it.
	 */
	static final int ATTEMPTS = 3;

	/**
	 * The pause before the second start; each later one is three times the one before.
	 */
	static final Duration RETRY_PAUSE = Duration.ofSeconds(5);

	private final TenantProvisioner provisioner;

	private final PlacementRepository placements;

	private final TransactionTemplate controlTx;

	private final JdbcClient control;

	private final PlacementPools pools;

	private final PlacementDirectory directory;

	private final StoreRemoval removal;

	private final MoveRecords records;

	private final MoveRecovery recovery;

	private final MovePhaseTimers phaseTimers;

	/**
	 * Lag and verification probes: negative marks, never reused, never a fence's epoch.
	 */
	private final AtomicLong probes = new AtomicLong();

	MoveRun(TenantProvisioner provisioner, PlacementRepository placements, TransactionTemplate controlTx,
			JdbcClient control, PlacementPools pools, PlacementDirectory directory, StoreRemoval removal,
			MoveRecords records, MoveRecovery recovery, MovePhaseTimers phaseTimers) {
		this.provisioner = provisioner;
		this.placements = placements;
		this.controlTx = controlTx;
		this.control = control;
		this.pools = pools;
		this.directory = directory;
		this.removal = removal;
		this.records = records;
		this.recovery = recovery;
		this.phaseTimers = phaseTimers;
	}

	/** Carries out a recorded move. */
	MoveReport run(Planned planned, Options options, Progress listener) throws SQLException, InterruptedException {
		MovePhaseTimers.Clock phases = this.phaseTimers.start();
		Progress progress = (m, phase, changes, lag) -> {
			phases.enter(phase);
			this.records.phase(m, phase, changes, lag);
			listener.report(m, phase, changes, lag);
		};
		// The move's heartbeat beats on its own: a phase can go long without a report
		// (checksums of ten million rows take longer than the silence after which
		// recovery
		// takes a move for dead and rolls it back).
		ScheduledExecutorService heart = Executors.newSingleThreadScheduledExecutor((r) -> {
			Thread thread = new Thread(r, "tierflow-move-heartbeat");
			thread.setDaemon(true);
			return thread;
		});
		long beat = Math.max(100, options.heartbeat().toMillis());
		heart.scheduleWithFixedDelay(() -> {
			try {
				this.records.beat(planned.move());
			}
			catch (RuntimeException ex) {
				log.debug("Move {}: heartbeat not recorded: {}", planned.move(), ex.toString());
			}
		}, beat, beat, TimeUnit.MILLISECONDS);
		try {
			return carryOut(planned, options, progress);
		}
		finally {
			heart.shutdownNow();
			phases.end();
		}
	}

	private MoveReport carryOut(Planned planned, Options options, Progress progress)
			throws SQLException, InterruptedException {
		Duration pause = RETRY_PAUSE;
		for (int attempt = 1;; attempt++) {
			MoveReport report = attempt(planned, options, progress, attempt, attempt < ATTEMPTS);
			if (report != null) {
				return report;
			}
			log.warn("Move {}: starting again in {} s (attempt {} of {})", planned.move(), pause.toSeconds(),
					attempt + 1, ATTEMPTS);
			// Nothing tells when a restarting server is back: a fixed, growing
			// pause (the heartbeat beats on meanwhile; an interrupt ends it).
			Thread.sleep(pause.toMillis());
			pause = pause.multipliedBy(3);
		}
	}

	/**
	 * One start of the move, from the top.
	 * @return how it ended, or null when a transient failure stopped it and it may start
	 * again ({@code mayRetry}), its traces already removed
	 */
	private MoveReport attempt(Planned planned, Options options, Progress progress, int attempt, boolean mayRetry)
			throws SQLException, InterruptedException {
		UUID move = planned.move();
		TenantPlacement from = planned.from();
		TenantPlacement to = planned.to();
		UUID tenant = from.tenantId();
		Tier tier = to.tier();
		String region = from.region();
		progress.report(move, MovePhase.PREPARING, 0, null);
		Store source = this.removal.store(from);
		Store target = this.removal.store(to);
		log.info("Move {}: tenant {} from {} to {}", move, tenant, from.store(), to.store());
		CutoverFence cutover = null;
		try (TenantChangeStream stream = new TenantChangeStream(move, tenant, source, target, options.heartbeat())) {
			// The tenant is not placed in the target: whatever of it is there was left by
			// an earlier move away from it (a crash before its source was removed).
			this.removal.remove(to, target);
			this.provisioner.prepareStore(to);
			if (attempt > 1) {
				// What the start before may have left, its server being the one failing:
				// its slot and publication, and its stream's position in the target (the
				// stream would resume from it instead of copying).
				TenantChangeStream.dropCapture(source, target, move);
			}
			announceTarget(move, to);
			stream.start();
			Duration lag = catchUp(move, stream, source, tenant, options, progress);
			progress.report(move, MovePhase.VERIFYING, stream.appliedChanges(), lag);
			// Every instance fills its pool for the target while the checksums are
			// computed: the cutover sends the held writers there all at once.
			announceTarget(move, to);
			Map<String, TableChecksum> sums = verify(stream, source, target, tenant, options);
			// The verification took a while: the stream must keep up again before writers
			// are held.
			lag = catchUp(move, stream, source, tenant, options, progress);
			// This instance's pool for the target is warm before writers are held, the
			// announcement heard or not.
			warmTarget(move, to);
			progress.report(move, MovePhase.FENCED, stream.appliedChanges(), lag);
			cutover = new CutoverFence(source, tenant);
			long fenceAt = System.nanoTime();
			cutover.fence(from.epoch(), options.fenceWait());
			long lockedAt = System.nanoTime();
			awaitMark(stream, from.epoch(), cutover.remaining(options.fenceWait()), "the fence mark");
			long appliedAt = System.nanoTime();
			// Writers take back a mark older than the lease, as left by a dead mover:
			// switch only while the fence is surely still ours.
			cutover.confirmHeld(TenantFence.LEASE.dividedBy(2));
			// A move of tenant-service's tier change sets the plan too; a rebalancing or
			// autopilot move changes the placement only.
			boolean planChange = planned.request() != null;
			boolean switched = this.controlTx.execute((s) -> this.placements.switchPlacement(tenant, from.epoch(), tier,
					to.isolation(), to.store(), planChange));
			if (!switched) {
				throw new MoveAbandoned(
						"the placement changed during the move (epoch is no longer " + from.epoch() + ")");
			}
			// From here on the target is the tenant's: nothing may abandon it any more.
			CutoverFence held = cutover;
			cutover = null;
			this.directory.evict(tenant);
			Duration fenced = held.release();
			long applied = stream.appliedChanges();
			progress.report(move, MovePhase.SWITCHED, applied, lag);
			TenantPlacement moved = new TenantPlacement(tenant, tier, to.isolation(), to.cluster(), to.database(),
					to.schema(), region, from.epoch() + 1, PlacementState.READY, from.suspended(), null);
			log.info(
					"Move {}: tenant {} switched to {} (epoch {}); {} changes applied, writes held {} ms (lock and mark {}"
							+ " ms, mark applied {} ms, switch {} ms), checksums {}",
					move, tenant, to.store(), moved.epoch(), applied, fenced.toMillis(),
					(lockedAt - fenceAt) / 1_000_000, (appliedAt - lockedAt) / 1_000_000,
					(System.nanoTime() - appliedAt) / 1_000_000, sums);
			stream.close();
			String kept = null;
			try {
				TenantChangeStream.dropCapture(source, target, move);
			}
			catch (SQLException ex) {
				log.warn("Move {}: dropping its slot and publication failed, the reaper will: {}", move, ex.toString());
			}
			if (options.removeSourceAfter() != null) {
				kept = removeSourceLater(move, from, source, options.removeSourceAfter(), applied, progress);
			}
			this.records.end(new Outcome(move, tenant, planned.request(), true, kept, moved, applied, sums, fenced));
			return new MoveReport(move, from, moved, true, null, sums, sums, applied, fenced);
		}
		catch (MoveAbandoned | RuntimeException | SQLException | InterruptedException ex) {
			if (cutover == null && switchedTo(tenant, from.epoch())) {
				// Failed after the switch (its record is ended by recovery): the target
				// stays the tenant's.
				log.warn("Move {}: tenant {} switched, but finishing failed: {}", move, tenant, ex.toString());
				if (ex instanceof InterruptedException) {
					Thread.currentThread().interrupt();
				}
				throw new IllegalStateException("Move " + move + " switched but did not finish", ex);
			}
			String reason = (ex instanceof MoveAbandoned) ? ex.getMessage()
					: (ex instanceof InterruptedException) ? "interrupted (the service is stopping)" : ex.toString();
			boolean again = mayRetry && !(ex instanceof InterruptedException) && TransientFailures.isTransient(ex);
			log.warn("Move {}: tenant {} stays in {}{}: {}", move, tenant, from.store(), again ? " for now" : "",
					reason);
			if (cutover != null) {
				cutover.abandon();
			}
			this.recovery.rollBack(move, to, source, target);
			if (again) {
				return null;
			}
			progress.report(move, MovePhase.ABORTED, 0, null);
			this.records.end(new Outcome(move, tenant, planned.request(), false, reason, from, 0, Map.of(), null));
			if (ex instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
			return new MoveReport(move, from, to, false, reason, Map.of(), Map.of(), 0, Duration.ZERO);
		}
	}

	/** Fills this instance's pool for the target store; a failure only costs speed. */
	private void warmTarget(UUID move, TenantPlacement to) {
		long at = System.nanoTime();
		try {
			int connections = this.pools.warm(to.cluster(), to.database());
			log.debug("Move {}: target pool warm with {} connections in {} ms", move, connections,
					(System.nanoTime() - at) / 1_000_000);
		}
		catch (RuntimeException ex) {
			log.debug("Move {}: could not warm the target's pool: {}", move, ex.toString());
		}
	}

	/** Asks every instance to warm its pool for the target store (StoreWarmer). */
	private void announceTarget(UUID move, TenantPlacement to) {
		try {
			StoreWarmer.announce(this.control, to.cluster(), to.database());
		}
		catch (RuntimeException ex) {
			log.debug("Move {}: could not announce its target for warming: {}", move, ex.toString());
		}
	}

	private boolean switchedTo(UUID tenant, long fromEpoch) {
		return this.provisioner.find(tenant).map((p) -> p.epoch() > fromEpoch).orElse(false);
	}

	/**
	 * Waits until no instance routes to the source by a cached placement any more
	 * (reporting progress each second), then removes the tenant's data there.
	 * @return why the source was kept, or null when it was removed
	 */
	private String removeSourceLater(UUID move, TenantPlacement from, Store source, Duration wait, long applied,
			Progress progress) {
		try {
			long until = System.nanoTime() + wait.toNanos();
			while (System.nanoTime() < until) {
				progress.report(move, MovePhase.REMOVING_SOURCE, applied, null);
				// Instances may route to the source by cached placements until then.
				Thread.sleep(Math.min(1000, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
			}
			progress.report(move, MovePhase.REMOVING_SOURCE, applied, null);
			this.recovery.removeSource(move, from, source, MoverAutoConfiguration.SILENCE.dividedBy(2));
			return null;
		}
		catch (SQLException | RuntimeException ex) {
			log.warn("Move {}: tenant {}'s old data in {} stays: {}", move, from.tenantId(), from.store(),
					ex.toString());
			return "the source was kept: " + ex.getMessage();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return "the source was kept: interrupted";
		}
	}

	private Duration catchUp(UUID move, TenantChangeStream stream, Store source, UUID tenant, Options options,
			Progress progress) throws SQLException, InterruptedException, MoveAbandoned {
		long deadline = System.nanoTime() + options.catchUpDeadline().toNanos();
		while (!stream.streaming()) {
			checkStream(stream);
			if (System.nanoTime() > deadline) {
				throw new MoveAbandoned("the copy did not finish within " + options.catchUpDeadline());
			}
			progress.report(move, MovePhase.COPYING, stream.appliedChanges(), null);
			Thread.sleep(200); // the pace of progress reports while the copy runs
		}
		Duration lag = null;
		while (true) {
			checkStream(stream);
			long probe = this.probes.decrementAndGet();
			long written = System.nanoTime();
			CutoverFence.mark(source, tenant, probe);
			// Wait in slices, reporting progress meanwhile.
			while (!stream.awaitFenceSeen(probe, Duration.ofSeconds(1))) {
				checkStream(stream);
				Duration waited = Duration.ofNanos(System.nanoTime() - written);
				progress.report(move, MovePhase.STREAMING, stream.appliedChanges(), waited);
				if (System.nanoTime() > deadline) {
					throw new MoveAbandoned("the stream's lag stayed above " + options.cutoverLag().toMillis()
							+ " ms until the deadline (a probe not applied after " + waited.toMillis()
							+ " ms); cutover refused");
				}
			}
			checkStream(stream);
			lag = Duration.ofNanos(System.nanoTime() - written);
			progress.report(move, MovePhase.STREAMING, stream.appliedChanges(), lag);
			if (lag.compareTo(options.cutoverLag()) <= 0) {
				return lag;
			}
			if (System.nanoTime() > deadline) {
				throw new MoveAbandoned("the stream's lag stayed above " + options.cutoverLag().toMillis()
						+ " ms (last " + lag.toMillis() + " ms) until the deadline; cutover refused");
			}
			Thread.sleep(100); // the pace of lag probes while the stream catches up
		}
	}

	/**
	 * Compares the tenant's rows, source and target, at one point of the stream without
	 * holding writers for longer than it takes to pin a snapshot: the tenant's lock is
	 * taken exclusive (in-flight writes finish), a snapshot of the source is pinned and a
	 * probe mark written, the lock is let go; the applier commits exactly at the probe
	 * and pins a snapshot of the target there. Both snapshots then hold the same rows,
	 * and the checksums are computed on them while writes go on.
	 */
	private Map<String, TableChecksum> verify(TenantChangeStream stream, Store source, Store target, UUID tenant,
			Options options) throws SQLException, InterruptedException, MoveAbandoned {
		long probe = Long.MIN_VALUE + System.nanoTime() % 1_000_000; // apart from the lag
																		// probes
		try (Connection sourceSnapshot = source.connect(); Connection targetSnapshot = target.connect()) {
			try (Connection lock = source.connect()) {
				CutoverFence.lockExclusive(lock, tenant, options.fenceWait(), "verification");
				try {
					TableChecksum.pin(sourceSnapshot);
					stream.pinAt(probe, () -> TableChecksum.pin(targetSnapshot));
					CutoverFence.mark(lock, tenant, probe);
				}
				finally {
					CutoverFence.unlock(lock, tenant);
				}
			}
			awaitMark(stream, probe, options.catchUpDeadline(), "the verification probe");
			Map<String, TableChecksum> sourceSums = TableChecksum.of(sourceSnapshot, source, stream.tenantTables(),
					tenant);
			Map<String, TableChecksum> targetSums = TableChecksum.of(targetSnapshot, target, stream.tenantTables(),
					tenant);
			if (!sourceSums.equals(targetSums)) {
				throw new MoveAbandoned("checksums differ: source " + sourceSums + ", target " + targetSums);
			}
			return sourceSums;
		}
	}

	private static void checkStream(TenantChangeStream stream) throws MoveAbandoned {
		if (stream.failure() != null) {
			throw new MoveAbandoned("the change stream failed: " + stream.failure(), stream.failure());
		}
	}

	private static void awaitMark(TenantChangeStream stream, long epoch, Duration within, String what)
			throws MoveAbandoned, InterruptedException {
		boolean seen = stream.awaitFenceSeen(epoch, within);
		checkStream(stream);
		if (!seen) {
			throw new MoveAbandoned(what + " did not reach the target within " + within.toMillis() + " ms");
		}
	}

}
