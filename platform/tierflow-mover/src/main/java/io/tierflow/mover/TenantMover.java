package io.tierflow.mover;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import com.github.f4b6a3.uuid.UuidCreator;
import io.tierflow.tenancy.TenancyProperties.Cluster;
import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.JdbcUrls;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.StoreKey;
import io.tierflow.tenancy.placement.TenantFence;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.placement.UnknownTenantException;
import io.tierflow.tenancy.routing.PlacementDirectory;
import io.tierflow.tenancy.routing.PlacementPools;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Moves one tenant's data in this service to the placement another tier (or another
 * cluster) asks for, live: prepares the target at the latest migration version, copies
 * and streams the tenant's rows ({@link TenantChangeStream}), and cuts over only once the
 * stream keeps up — probes written to the source arrive within {@code cutoverLag}. The
 * cutover fences the tenant's writes on every instance ({@link TenantFence}), waits until
 * the fence mark itself has been applied to the target, compares per-table checksums,
 * switches the placement (epoch + 1) and lifts the fence; the held writers go on at the
 * target. Anything going wrong before the switch leaves the source authoritative and
 * drops the target.
 */
public class TenantMover {

	private static final Logger log = LoggerFactory.getLogger(TenantMover.class);

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
	 * Phases a move reports (a {@link MovePhase}'s name), with rows applied so far and
	 * the last measured lag.
	 */
	public interface Progress {

		void report(UUID move, String phase, long changesApplied, Duration lag);

		Progress NONE = (move, phase, changes, lag) -> {
		};

	}

	private final TenantProvisioner provisioner;

	private final PlacementRepository placements;

	private final TransactionTemplate controlTx;

	private final PlacementPools pools;

	private final StoreRemoval removal;

	private final PlacementDirectory directory;

	private final MoveRecords records;

	private final Outcomes outcomes;

	private final MovePhaseTimers phaseTimers;

	/**
	 * Lag and verification probes: negative marks, never reused, never a fence's epoch.
	 */
	private final AtomicLong probes = new AtomicLong();

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
		this.records = new MoveRecords(control);
		this.outcomes = outcomes;
		this.phaseTimers = phaseTimers;
		this.provisioner = provisioner;
		this.placements = placements;
		this.controlTx = controlTx;
		this.pools = pools;
		this.removal = new StoreRemoval(placements, controlTx, pools);
		this.directory = directory;
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
		Store source = store(from);
		Store target = store(to);
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
		MovePhaseTimers.Clock phases = this.phaseTimers.start();
		Progress progress = (m, phase, changes, lag) -> {
			phases.enter(phase);
			this.records.phase(m, phase, changes, lag);
			listener.report(m, phase, changes, lag);
		};
		try {
			return carryOut(planned, options, progress);
		}
		finally {
			phases.end();
		}
	}

	private MoveReport carryOut(Planned planned, Options options, Progress progress)
			throws SQLException, InterruptedException {
		UUID move = planned.move();
		TenantPlacement from = planned.from();
		TenantPlacement to = planned.to();
		UUID tenant = from.tenantId();
		Tier tier = to.tier();
		String region = from.region();
		progress.report(move, MovePhase.PREPARING.name(), 0, null);
		Store source = store(from);
		Store target = store(to);
		log.info("Move {}: tenant {} from {} to {}", move, tenant, from.store(), to.store());
		Cutover cutover = null;
		try (TenantChangeStream stream = new TenantChangeStream(move, tenant, source, target, options.heartbeat())) {
			// The tenant is not placed in the target: whatever of it is there was left by
			// an earlier move away from it (a crash before its source was removed).
			dropTenantData(to, target);
			this.provisioner.prepareStore(to);
			stream.start();
			Duration lag = catchUp(move, stream, source, tenant, options, progress);
			progress.report(move, MovePhase.VERIFYING.name(), stream.appliedChanges(), lag);
			Map<String, TableChecksum> sums = verify(stream, source, target, tenant, options);
			// The verification took a while: the stream must keep up again before writers
			// are held.
			lag = catchUp(move, stream, source, tenant, options, progress);
			progress.report(move, MovePhase.FENCED.name(), stream.appliedChanges(), lag);
			cutover = new Cutover(source, tenant);
			long fenceAt = System.nanoTime();
			cutover.fence(from.epoch(), options.fenceWait());
			long lockedAt = System.nanoTime();
			awaitMark(stream, from.epoch(), cutover.remaining(options.fenceWait()), "the fence mark");
			long appliedAt = System.nanoTime();
			// Writers take back a mark older than the lease, as left by a dead mover:
			// switch only while the fence is surely still ours.
			cutover.confirmHeld(TenantFence.LEASE.dividedBy(2));
			boolean switched = this.controlTx.execute(
					(s) -> this.placements.switchPlacement(tenant, from.epoch(), tier, to.isolation(), to.store()));
			if (!switched) {
				throw new MoveAbandoned(
						"the placement changed during the move (epoch is no longer " + from.epoch() + ")");
			}
			// From here on the target is the tenant's: nothing may abandon it any more.
			Cutover held = cutover;
			cutover = null;
			this.directory.evict(tenant);
			Duration fenced = held.release();
			long applied = stream.appliedChanges();
			progress.report(move, MovePhase.SWITCHED.name(), applied, lag);
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
			end(new Outcome(move, tenant, planned.request(), true, kept, moved, applied, sums, fenced));
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
			log.warn("Move {}: tenant {} stays in {}: {}", move, tenant, from.store(), reason);
			if (cutover != null) {
				cutover.abandon();
			}
			abandon(move, from, to, source, target);
			progress.report(move, MovePhase.ABORTED.name(), 0, null);
			end(new Outcome(move, tenant, planned.request(), false, reason, from, 0, Map.of(), null));
			if (ex instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
			return new MoveReport(move, from, to, false, reason, Map.of(), Map.of(), 0, Duration.ZERO);
		}
	}

	private boolean switchedTo(UUID tenant, long fromEpoch) {
		return this.provisioner.find(tenant).map((p) -> p.epoch() > fromEpoch).orElse(false);
	}

	/** Records the end and tells {@link Outcomes}, in one control transaction. */
	private void end(Outcome outcome) {
		this.controlTx.executeWithoutResult((s) -> {
			this.records.end(outcome.move(), outcome.succeeded(), outcome.reason(), outcome.checksums(),
					outcome.fenced());
			this.outcomes.ended(outcome);
		});
	}

	/**
	 * Waits until no instance routes to the source by a cached placement any more
	 * (beating the move's heartbeat), then removes the tenant's data there.
	 * @return why the source was kept, or null when it was removed
	 */
	private String removeSourceLater(UUID move, TenantPlacement from, Store source, Duration wait, long applied,
			Progress progress) {
		try {
			long until = System.nanoTime() + wait.toNanos();
			while (System.nanoTime() < until) {
				progress.report(move, MovePhase.REMOVING_SOURCE.name(), applied, null);
				// Instances may route to the source by cached placements until then.
				Thread.sleep(Math.min(1000, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
			}
			progress.report(move, MovePhase.REMOVING_SOURCE.name(), applied, null);
			awaitOutboxDrained(source, from.tenantId(), MoverAutoConfiguration.SILENCE.dividedBy(2));
			dropTenantData(from, source);
			log.info("Move {}: tenant {}'s data removed from {}", move, from.tenantId(), from.store());
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

	/**
	 * Finishes or rolls back the moves whose process died (no heartbeat for
	 * {@code silence}): a move that switched the placement is finished (its slot and
	 * publication dropped); any other is rolled back — its fence mark taken back, its
	 * target dropped — and the source stays authoritative. Run at start-up.
	 * @return the moves recovered
	 */
	public List<UUID> recover(Duration silence) {
		List<UUID> recovered = new ArrayList<>();
		for (MoveRecords.Move m : this.records.silent(silence)) {
			TenantPlacement now = this.provisioner.find(m.tenant()).orElse(null);
			TenantPlacement from = new TenantPlacement(m.tenant(), null, m.fromIsolation(), m.from().cluster(),
					m.from().database(), m.from().schema(), null, m.fromEpoch(), PlacementState.READY, false, null);
			TenantPlacement to = new TenantPlacement(m.tenant(), Tier.valueOf(m.toTier()), m.toIsolation(),
					m.to().cluster(), m.to().database(), m.to().schema(), null, m.fromEpoch(), PlacementState.READY,
					false, null);
			Store source = store(from);
			Store target = store(to);
			boolean switched = now != null && now.epoch() == m.fromEpoch() + 1 && now.store().equals(m.to());
			try {
				if (switched) {
					TenantChangeStream.dropCapture(source, target, m.move());
					// Silent for longer than any instance caches a route: the source can
					// go.
					String kept = null;
					try {
						awaitOutboxDrained(source, m.tenant(), Duration.ZERO);
						dropTenantData(from, source);
					}
					catch (SQLException | RuntimeException ex) {
						kept = "the source was kept: " + ex.getMessage();
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
						kept = "the source was kept: interrupted";
					}
					end(new Outcome(
							m.move(), m.tenant(), m.request(), true, "finished after its process died in phase "
									+ m.phase() + ((kept != null) ? "; " + kept : ""),
							now, m.changesApplied(), Map.of(), null));
					log.warn("Move {}: tenant {} had switched to {} when its process died; finished", m.move(),
							m.tenant(), m.to());
				}
				else {
					try (Connection con = source.connect();
							PreparedStatement ps = con.prepareStatement(
									"delete from tierflow_fence.moved where tenant_id = ? and epoch = ?")) {
						ps.setObject(1, m.tenant());
						ps.setLong(2, m.fromEpoch());
						ps.executeUpdate();
					}
					abandon(m.move(), from, to, source, target);
					end(new Outcome(m.move(), m.tenant(), m.request(), false,
							"rolled back after its process died in phase " + m.phase(), (now != null) ? now : from, 0,
							Map.of(), null));
					log.warn("Move {}: its process died in phase {}; rolled back, tenant {} stays in {}", m.move(),
							m.phase(), m.tenant(), m.from());
				}
				this.directory.evict(m.tenant());
				recovered.add(m.move());
			}
			catch (SQLException | RuntimeException ex) {
				log.warn("Move {}: recovery failed, will be tried again: {}", m.move(), ex.toString());
			}
		}
		return recovered;
	}

	/**
	 * Drops the replication slots (and their publications) that moves ended within
	 * {@code within} left behind — when dropping them at the end failed, say because the
	 * source was unreachable. A left slot would pin the source's WAL for good.
	 * @return the slots dropped
	 */
	public int reapOrphans(Duration within) {
		int reaped = 0;
		for (MoveRecords.Move m : this.records.endedWithin(within)) {
			String name = TenantChangeStream.captureName(m.move());
			try {
				Cluster cluster = this.pools.cluster(m.from().cluster());
				String database;
				try (Connection con = this.pools.owner(cluster.name(), JdbcUrls.databaseOf(cluster.jdbcUrl()))
					.getConnection();
						PreparedStatement ps = con.prepareStatement(
								"select database from pg_replication_slots where slot_name = ? and not active")) {
					ps.setString(1, name);
					var rs = ps.executeQuery();
					if (!rs.next()) {
						continue;
					}
					database = rs.getString(1);
				}
				Store source = new Store(JdbcUrls.withDatabase(cluster.jdbcUrl(), database), cluster.username(),
						cluster.password(), m.from().schema());
				TenantChangeStream.dropCapture(source, null, m.move());
				reaped++;
				log.warn("Move {}: its replication slot and publication {} were left behind; dropped", m.move(), name);
			}
			catch (SQLException | RuntimeException ex) {
				log.warn("Move {}: dropping its left-over slot {} failed: {}", m.move(), name, ex.toString());
			}
		}
		return reaped;
	}

	/**
	 * Removes the tenant's data from the store it left, once no instance can route to it
	 * any more (wait for the placement cache's time to live after the switch first). The
	 * tenant's outbox rows there are relayed first.
	 */
	public void removeSource(MoveReport report, Duration outboxDrainWait) throws SQLException, InterruptedException {
		if (!report.succeeded()) {
			throw new IllegalArgumentException("Move " + report.move() + " did not succeed: its source stays");
		}
		TenantPlacement from = report.from();
		Store source = store(from);
		UUID tenant = from.tenantId();
		awaitOutboxDrained(source, tenant, outboxDrainWait);
		dropTenantData(from, source);
		log.info("Move {}: tenant {}'s data removed from {}", report.move(), tenant, from.store());
	}

	private Duration catchUp(UUID move, TenantChangeStream stream, Store source, UUID tenant, Options options,
			Progress progress) throws SQLException, InterruptedException, MoveAbandoned {
		long deadline = System.nanoTime() + options.catchUpDeadline().toNanos();
		while (!stream.streaming()) {
			checkStream(stream);
			if (System.nanoTime() > deadline) {
				throw new MoveAbandoned("the copy did not finish within " + options.catchUpDeadline());
			}
			progress.report(move, MovePhase.COPYING.name(), stream.appliedChanges(), null);
			Thread.sleep(200); // the pace of progress reports while the copy runs
		}
		Duration lag = null;
		while (true) {
			checkStream(stream);
			long probe = this.probes.decrementAndGet();
			long written = System.nanoTime();
			mark(source, tenant, probe);
			// Wait in slices, reporting (and so beating the move's heartbeat) meanwhile.
			while (!stream.awaitFenceSeen(probe, Duration.ofSeconds(1))) {
				checkStream(stream);
				Duration waited = Duration.ofNanos(System.nanoTime() - written);
				progress.report(move, MovePhase.STREAMING.name(), stream.appliedChanges(), waited);
				if (System.nanoTime() > deadline) {
					throw new MoveAbandoned("the stream's lag stayed above " + options.cutoverLag().toMillis()
							+ " ms until the deadline (a probe not applied after " + waited.toMillis()
							+ " ms); cutover refused");
				}
			}
			checkStream(stream);
			lag = Duration.ofNanos(System.nanoTime() - written);
			progress.report(move, MovePhase.STREAMING.name(), stream.appliedChanges(), lag);
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
				try (Statement st = lock.createStatement()) {
					st.execute("set lock_timeout = " + Math.max(1, options.fenceWait().toMillis()));
				}
				try (PreparedStatement ps = lock
					.prepareStatement("select pg_advisory_lock(" + TenantFence.LOCK_SPACE + ", hashtext(?::text))")) {
					ps.setObject(1, tenant);
					ps.execute();
				}
				catch (SQLException ex) {
					if ("55P03".equals(ex.getSQLState())) {
						throw new MoveAbandoned("the tenant's writes in flight did not finish within "
								+ options.fenceWait().toMillis() + " ms; verification refused");
					}
					throw ex;
				}
				try {
					TableChecksum.pin(sourceSnapshot);
					stream.pinAt(probe, () -> TableChecksum.pin(targetSnapshot));
					mark(lock, tenant, probe);
				}
				finally {
					try (PreparedStatement ps = lock.prepareStatement(
							"select pg_advisory_unlock(" + TenantFence.LOCK_SPACE + ", hashtext(?::text))")) {
						ps.setObject(1, tenant);
						ps.execute();
					}
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
			throw new MoveAbandoned("the change stream failed: " + stream.failure());
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

	/**
	 * Writes a mark (a negative probe, or the fence's epoch) into the source's stream.
	 */
	private static void mark(Store source, UUID tenant, long epoch) throws SQLException {
		try (Connection con = source.connect()) {
			mark(con, tenant, epoch);
		}
	}

	private static void mark(Connection con, UUID tenant, long epoch) throws SQLException {
		// Flushed at commit even where commits are asynchronous: the WAL sender only
		// streams flushed WAL, and a fenced source writes nothing else to flush it.
		try (Statement st = con.createStatement()) {
			st.execute("set synchronous_commit = on");
		}
		try (PreparedStatement ps = con.prepareStatement("insert into tierflow_fence.moved (tenant_id, epoch)"
				+ " values (?, ?) on conflict (tenant_id) do update set epoch = excluded.epoch, moved_at = now()")) {
			ps.setObject(1, tenant);
			ps.setLong(2, epoch);
			ps.executeUpdate();
		}
	}

	private void abandon(UUID move, TenantPlacement from, TenantPlacement to, Store source, Store target) {
		try {
			TenantChangeStream.dropCapture(source, target, move);
		}
		catch (SQLException ex) {
			log.warn("Move {}: dropping its slot and publication {} failed; drop them by hand", move,
					TenantChangeStream.captureName(move), ex);
		}
		try {
			dropTenantData(to, target);
		}
		catch (SQLException | RuntimeException ex) {
			log.warn("Move {}: dropping the abandoned target {} failed", move, to.store(), ex);
		}
	}

	private void dropTenantData(TenantPlacement placement, Store store) throws SQLException {
		this.removal.remove(placement, store);
	}

	static void awaitOutboxDrained(Store source, UUID tenant, Duration within)
			throws SQLException, InterruptedException {
		long deadline = System.nanoTime() + within.toNanos();
		try (Connection con = source.connect()) {
			boolean hasOutbox;
			try (PreparedStatement ps = con.prepareStatement("select to_regclass(?) is not null")) {
				ps.setString(1, source.qualified("outbox"));
				var rs = ps.executeQuery();
				rs.next();
				hasOutbox = rs.getBoolean(1);
			}
			while (hasOutbox) {
				try (PreparedStatement ps = con
					.prepareStatement("select count(*) from " + source.qualified("outbox") + " where tenant_id = ?")) {
					ps.setObject(1, tenant);
					var rs = ps.executeQuery();
					rs.next();
					if (rs.getLong(1) == 0) {
						return;
					}
				}
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("Tenant " + tenant + "'s events in " + source.schema()
							+ " were not relayed within " + within + "; its old data stays until they are");
				}
				Thread.sleep(100); // the relay drains it on its own schedule
			}
		}
	}

	private Store store(TenantPlacement placement) {
		return this.removal.store(placement);
	}

	/** The fence of one cutover: a session holding the tenant's lock exclusive. */
	private static final class Cutover {

		private final Connection con;

		private final UUID tenant;

		private long fencedAt;

		private boolean marked;

		Cutover(Store source, UUID tenant) throws SQLException {
			this.con = source.connect();
			this.tenant = tenant;
		}

		/**
		 * Waits for the writers in flight (at most {@code wait}), holds back new ones,
		 * and writes the fence mark.
		 */
		void fence(long epoch, Duration wait) throws SQLException, MoveAbandoned {
			try (Statement st = this.con.createStatement()) {
				st.execute("set lock_timeout = " + Math.max(1, wait.toMillis()));
			}
			try (PreparedStatement ps = this.con
				.prepareStatement("select pg_advisory_lock(" + TenantFence.LOCK_SPACE + ", hashtext(?::text))")) {
				ps.setObject(1, this.tenant);
				ps.execute();
			}
			catch (SQLException ex) {
				if ("55P03".equals(ex.getSQLState())) { // lock_not_available
					throw new MoveAbandoned("the tenant's writes in flight did not finish within " + wait.toMillis()
							+ " ms; cutover refused");
				}
				throw ex;
			}
			this.fencedAt = System.nanoTime();
			mark(this.con, this.tenant, epoch);
			this.marked = true;
		}

		/** Fails unless the fence session is alive and younger than {@code maxAge}. */
		void confirmHeld(Duration maxAge) throws SQLException, MoveAbandoned {
			try (Statement st = this.con.createStatement()) {
				st.execute("select 1");
			}
			Duration age = Duration.ofNanos(System.nanoTime() - this.fencedAt);
			if (age.compareTo(maxAge) > 0) {
				throw new MoveAbandoned(
						"the fence has been up for " + age.toMillis() + " ms, too long to switch safely");
			}
		}

		Duration remaining(Duration wait) {
			return Duration.ofNanos(Math.max(0, wait.toNanos() - (System.nanoTime() - this.fencedAt)));
		}

		/**
		 * Lifts the fence after the switch; the mark stays, for writers with old routes.
		 */
		Duration release() throws SQLException {
			Duration held = Duration.ofNanos(System.nanoTime() - this.fencedAt);
			try (Connection c = this.con;
					PreparedStatement ps = c.prepareStatement(
							"select pg_advisory_unlock(" + TenantFence.LOCK_SPACE + ", hashtext(?::text))")) {
				ps.setObject(1, this.tenant);
				ps.execute();
			}
			return held;
		}

		/** Takes the mark back and lifts the fence: the source stays authoritative. */
		void abandon() {
			try (Connection c = this.con) {
				if (this.marked) {
					try (PreparedStatement ps = c
						.prepareStatement("delete from tierflow_fence.moved where tenant_id = ?")) {
						ps.setObject(1, this.tenant);
						ps.executeUpdate();
					}
				}
				// Closing the session releases the lock.
			}
			catch (SQLException ex) {
				log.warn("Taking back the fence of tenant {} failed; closing its session lifts it", this.tenant, ex);
			}
		}

	}

	/** The move gives up, with a reason; the source stays authoritative. */
	static final class MoveAbandoned extends Exception {

		MoveAbandoned(String reason) {
			super(reason);
		}

	}

}
