package io.tierflow.mover;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tierflow.mover.TenantMover.Outcome;
import io.tierflow.tenancy.TenancyProperties.Cluster;
import io.tierflow.tenancy.placement.JdbcUrls;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.routing.PlacementDirectory;
import io.tierflow.tenancy.routing.PlacementPools;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cleans up after moves: finishes or rolls back the moves whose process died
 * ({@link #recover}), drops the replication slots that ended moves left behind
 * ({@link #reapOrphans}), and removes a moved tenant's data from the source it left
 * ({@link #removeSource}). Rolling back — dropping what a move created — is the same for
 * a move that gives up while it runs ({@link MoveRun}) and for one whose process died
 * ({@link #rollBack}).
 */
final class MoveRecovery {

	// Logs as TenantMover: a move's log lines read as one story.
	private static final Logger log = LoggerFactory.getLogger(TenantMover.class);

	private final TenantProvisioner provisioner;

	private final PlacementPools pools;

	private final PlacementDirectory directory;

	private final StoreRemoval removal;

	private final MoveRecords records;

	MoveRecovery(TenantProvisioner provisioner, PlacementPools pools, PlacementDirectory directory,
			StoreRemoval removal, MoveRecords records) {
		this.provisioner = provisioner;
		this.pools = pools;
		this.directory = directory;
		this.removal = removal;
		this.records = records;
	}

	/**
	 * Finishes or rolls back the moves whose process died (no heartbeat for
	 * {@code silence}): a move that switched the placement is finished (its slot and
	 * publication dropped); any other is rolled back — its fence mark taken back, its
	 * target dropped — and the source stays authoritative.
	 * @return the moves recovered
	 */
	List<UUID> recover(Duration silence) {
		List<UUID> recovered = new ArrayList<>();
		for (MoveRecords.Move m : this.records.silent(silence)) {
			TenantPlacement now = this.provisioner.find(m.tenant()).orElse(null);
			TenantPlacement from = new TenantPlacement(m.tenant(), null, m.fromIsolation(), m.from().cluster(),
					m.from().database(), m.from().schema(), null, m.fromEpoch(), PlacementState.READY, false, null);
			TenantPlacement to = new TenantPlacement(m.tenant(), Tier.valueOf(m.toTier()), m.toIsolation(),
					m.to().cluster(), m.to().database(), m.to().schema(), null, m.fromEpoch(), PlacementState.READY,
					false, null);
			Store source = this.removal.store(from);
			Store target = this.removal.store(to);
			boolean switched = now != null && now.epoch() == m.fromEpoch() + 1 && now.store().equals(m.to());
			try {
				if (switched) {
					TenantChangeStream.dropCapture(source, target, m.move());
					// Silent for longer than any instance caches a route: the source can
					// go.
					String kept = null;
					try {
						StoreRemoval.awaitOutboxDrained(source, m.tenant(), Duration.ZERO);
						this.removal.remove(from, source);
					}
					catch (SQLException | RuntimeException ex) {
						kept = "the source was kept: " + ex.getMessage();
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
						kept = "the source was kept: interrupted";
					}
					this.records.end(new Outcome(
							m.move(), m.tenant(), m.request(), true, "finished after its process died in phase "
									+ m.phase() + ((kept != null) ? "; " + kept : ""),
							now, m.changesApplied(), Map.of(), null));
					log.warn("Move {}: tenant {} had switched to {} when its process died; finished", m.move(),
							m.tenant(), m.to());
				}
				else {
					CutoverFence.takeBack(source, m.tenant(), m.fromEpoch());
					rollBack(m.move(), to, source, target);
					this.records.end(new Outcome(m.move(), m.tenant(), m.request(), false,
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
	int reapOrphans(Duration within) {
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
	 * Removes the tenant's data from the store a succeeded move left, once no instance
	 * can route to it any more (wait for the placement cache's time to live after the
	 * switch first). The tenant's outbox rows there are relayed first.
	 */
	void removeSource(MoveReport report, Duration outboxDrainWait) throws SQLException, InterruptedException {
		if (!report.succeeded()) {
			throw new IllegalArgumentException("Move " + report.move() + " did not succeed: its source stays");
		}
		TenantPlacement from = report.from();
		removeSource(report.move(), from, this.removal.store(from), outboxDrainWait);
	}

	/**
	 * Removes the tenant's data from {@code source}, after waiting (at most
	 * {@code outboxDrainWait}) for its outbox rows there to be relayed.
	 */
	void removeSource(UUID move, TenantPlacement from, Store source, Duration outboxDrainWait)
			throws SQLException, InterruptedException {
		StoreRemoval.awaitOutboxDrained(source, from.tenantId(), outboxDrainWait);
		this.removal.remove(from, source);
		log.info("Move {}: tenant {}'s data removed from {}", move, from.tenantId(), from.store());
	}

	/**
	 * Drops what an abandoned move created: its slot and publication, and the tenant's
	 * data in its target. A failure is logged, not thrown: the source stays authoritative
	 * either way.
	 */
	void rollBack(UUID move, TenantPlacement to, Store source, Store target) {
		try {
			TenantChangeStream.dropCapture(source, target, move);
		}
		catch (SQLException ex) {
			log.warn("Move {}: dropping its slot and publication {} failed; drop them by hand", move,
					TenantChangeStream.captureName(move), ex);
		}
		try {
			this.removal.remove(to, target);
		}
		catch (SQLException | RuntimeException ex) {
			log.warn("Move {}: dropping the abandoned target {} failed", move, to.store(), ex);
		}
	}

}
