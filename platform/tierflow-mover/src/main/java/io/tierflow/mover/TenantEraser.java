package io.tierflow.mover;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import io.tierflow.events.DomainEvent;
import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.outbox.Outbox;
import io.tierflow.events.provisioning.ErasureParticipant;
import io.tierflow.events.tenant.TenantEraseRequested;
import io.tierflow.events.tenant.TenantErased;
import io.tierflow.tenancy.TenancyProperties.Cluster;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.JdbcUrls;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantErasure;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.routing.PlacementDirectory;
import io.tierflow.tenancy.routing.PlacementPools;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Erases one tenant's data in this service and answers {@code tenant.erased} with a
 * report. In order, each step safe to repeat:
 * <ol>
 * <li>the services' {@link ErasureStep}s run their last work on the store (billing's
 * final invoice), and the store's outbox is given time to be relayed;</li>
 * <li>the tombstone is written ({@code tenant_erasure}, ERASING) and the placement turns
 * ERASING, in one control transaction: from then on no instance routes the tenant (the
 * placement trigger tells them all), no event of it is applied, and nothing places it
 * again;</li>
 * <li>the report is counted — rows per table, and what each step will remove or keep —
 * and kept with the tombstone, before anything is removed;</li>
 * <li>the rows go (shared tables), or the schema or database is dropped; then the steps'
 * own data, fence marks in the cluster databases, the control inbox's entries and the
 * tenant's move records;</li>
 * <li>the placement row goes, the tombstone turns ERASED and the reply is written to the
 * control outbox, in one transaction.</li>
 * </ol>
 * A crash anywhere leaves a tombstone in ERASING or none: the redelivered request, or
 * {@link #resume} at start-up, carries on from there. A tenant is erased by one instance
 * at a time (a session advisory lock in the control database). Erasing an erased tenant
 * answers its kept report again.
 */
public class TenantEraser implements ErasureParticipant {

	private static final Logger log = LoggerFactory.getLogger(TenantEraser.class);

	/** First key of the erase lock: apart from the fence's and the placement's. */
	private static final int LOCK_SPACE = 0x7465;

	private final String service;

	private final PlacementRepository placements;

	private final TransactionTemplate controlTx;

	private final JdbcClient control;

	private final DataSource controlDataSource;

	private final PlacementPools pools;

	private final PlacementDirectory directory;

	private final Outbox controlOutbox;

	private final List<ErasureStep> steps;

	private final JsonMapper json;

	private final StoreRemoval removal;

	private final Duration outboxDrainWait;

	/**
	 * @param outboxDrainWait how long the tenant's unsent events (billing's last
	 * invoice.finalized, say) may take to be relayed before the store goes anyway
	 */
	public TenantEraser(String service, PlacementRepository placements, TransactionTemplate controlTx,
			JdbcClient control, DataSource controlDataSource, PlacementPools pools, PlacementDirectory directory,
			Outbox controlOutbox, List<ErasureStep> steps, JsonMapper json, Duration outboxDrainWait) {
		this.service = service;
		this.placements = placements;
		this.controlTx = controlTx;
		this.control = control;
		this.controlDataSource = controlDataSource;
		this.pools = pools;
		this.directory = directory;
		this.controlOutbox = controlOutbox;
		this.steps = List.copyOf(steps);
		this.json = json;
		this.removal = new StoreRemoval(placements, controlTx, pools);
		this.outboxDrainWait = outboxDrainWait;
	}

	@Override
	public void requested(DomainEvent event, TenantEraseRequested request) {
		if (!event.tenantId().equals(request.tenantId())) {
			throw new io.tierflow.events.MalformedEventException("Event " + event.id() + " asks to erase tenant "
					+ request.tenantId() + " under " + event.tenantId());
		}
		erase(request.tenantId());
	}

	/**
	 * Erases the tenant, or finishes erasing it, and answers the report.
	 * @return the report
	 */
	public TenantErased erase(UUID tenant) {
		return erase(tenant, true);
	}

	/**
	 * @param wait whether to wait for an erase of the tenant under way elsewhere, or to
	 * return null at once
	 */
	private TenantErased erase(UUID tenant, boolean wait) {
		try (Connection lock = this.controlDataSource.getConnection()) {
			if (!advisoryLock(lock, tenant, wait)) {
				return null;
			}
			try {
				return eraseLocked(tenant);
			}
			finally {
				unlock(lock, tenant);
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Erasing tenant " + tenant + " failed; it resumes when asked again", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Erasing tenant " + tenant + " was interrupted; it resumes later", ex);
		}
	}

	/**
	 * Finishes the erases that a dead process left in ERASING (those under way in a live
	 * process are left to it).
	 * @return how many were finished
	 */
	public int resume() {
		int finished = 0;
		for (UUID tenant : this.controlTx.execute((s) -> this.placements.erasing())) {
			try {
				if (erase(tenant, false) != null) {
					finished++;
				}
			}
			catch (RuntimeException ex) {
				log.warn("Resuming the erase of tenant {} failed, tried again later: {}", tenant, ex.toString());
			}
		}
		return finished;
	}

	private TenantErased eraseLocked(UUID tenant) throws SQLException, InterruptedException {
		long start = System.nanoTime();
		TenantErasure erasure = this.controlTx.execute((s) -> this.placements.findErasure(tenant)).orElse(null);
		if (erasure != null && erasure.erased()) {
			TenantErased report = readReport(erasure);
			reply(report);
			log.info("Tenant {} was erased here already; its report is answered again", tenant);
			return report;
		}
		if (erasure == null) {
			TenantPlacement placement = this.controlTx.execute((s) -> this.placements.find(tenant)).orElse(null);
			if (placement != null && placement.state() == PlacementState.READY) {
				try (TenantContext.Scope scope = TenantContext.openForMaintenance(tenant)) {
					for (ErasureStep step : this.steps) {
						step.beforeErase(tenant);
					}
				}
				drainOutbox(placement);
			}
			this.controlTx.executeWithoutResult(
					(s) -> this.placements.startErasure(tenant, this.placements.findForUpdate(tenant).orElse(null)));
			this.directory.evict(tenant);
			erasure = this.controlTx.execute((s) -> this.placements.findErasure(tenant)).orElseThrow();
		}
		TenantPlacement placement = erasure.placement();
		if (erasure.report() == null) {
			TenantErased counted = count(tenant, placement);
			this.controlTx.executeWithoutResult(
					(s) -> this.placements.recordErasureReport(tenant, this.json.writeValueAsString(counted)));
			erasure = this.controlTx.execute((s) -> this.placements.findErasure(tenant)).orElseThrow();
		}
		if (placement != null) {
			this.removal.removeData(placement, this.removal.store(placement), true);
		}
		for (ErasureStep step : this.steps) {
			try {
				step.erase(tenant);
			}
			catch (InterruptedException ex) {
				throw ex;
			}
			catch (Exception ex) {
				throw new IllegalStateException(step.getClass().getSimpleName() + " could not erase: " + ex, ex);
			}
		}
		removeFenceMarks(tenant);
		this.controlTx.executeWithoutResult((s) -> {
			this.control.sql("delete from inbox where tenant_id = ?").param(tenant).update();
			this.control.sql("delete from tenant_move where tenant_id = ?").param(tenant).update();
			this.control.sql("delete from tenant_archive_job where tenant_id = ?").param(tenant).update();
			// The autopilot's figures, overrides and decisions name the tenant too.
			this.control.sql("delete from tenant_statistics where tenant_id = ?").param(tenant).update();
			this.control.sql("delete from placement_override where tenant_id = ?").param(tenant).update();
			this.control.sql("delete from placement_decision where tenant_id = ?").param(tenant).update();
			if (placement != null && placement.isolation() != IsolationMode.ROW) {
				// Rollouts name the tenant's own store (its name carries the tenant id).
				this.control
					.sql("delete from migration_rollout_store where cluster = ? and database_name = ?"
							+ " and schema_name = ?")
					.params(placement.cluster(), placement.database(), placement.schema())
					.update();
			}
		});
		TenantErasure counted = erasure;
		TenantErased report = this.controlTx.execute((s) -> {
			this.placements.finishErasure(tenant);
			if (placement != null && placement.isolation() != IsolationMode.ROW) {
				this.placements.deleteStore(placement.store());
			}
			TenantErased done = readReport(this.placements.findErasure(tenant).orElse(counted));
			replyInTransaction(done);
			return done;
		});
		this.directory.evict(tenant);
		log.info("Tenant {} erased from {}: rows {}, store dropped {}, also {} in {} ms", tenant,
				(placement != null) ? placement.store() : "(never placed)", report.rowsDeleted(), report.storeDropped(),
				report.removed(), (System.nanoTime() - start) / 1_000_000);
		return report;
	}

	private TenantErased count(UUID tenant, TenantPlacement placement) throws SQLException {
		Map<String, Long> rows = (placement != null) ? StoreRemoval.count(this.removal.store(placement), tenant)
				: Map.of();
		Map<String, Long> removed = new LinkedHashMap<>();
		Map<String, Long> kept = new LinkedHashMap<>();
		for (ErasureStep step : this.steps) {
			step.removes(tenant).forEach((k, v) -> removed.merge(k, v, Long::sum));
			step.keeps(tenant).forEach((k, v) -> kept.merge(k, v, Long::sum));
		}
		removed.put("controlInboxRows",
				this.controlTx.execute((s) -> this.control.sql("select count(*) from inbox where tenant_id = ?")
					.param(tenant)
					.query(Long.class)
					.single()));
		removed.put("moves",
				this.controlTx.execute((s) -> this.control.sql("select count(*) from tenant_move where tenant_id = ?")
					.param(tenant)
					.query(Long.class)
					.single()));
		removed.put("archiveJobs",
				this.controlTx
					.execute((s) -> this.control.sql("select count(*) from tenant_archive_job where tenant_id = ?")
						.param(tenant)
						.query(Long.class)
						.single()));
		removed.put("placementRecords",
				this.controlTx.execute((s) -> this.control.sql("""
						select (select count(*) from tenant_statistics where tenant_id = ?)
						  + (select count(*) from placement_override where tenant_id = ?)
						  + (select count(*) from placement_decision where tenant_id = ?)""")
					.params(tenant, tenant, tenant)
					.query(Long.class)
					.single()));
		String dropped = null;
		if (placement != null && placement.isolation() == IsolationMode.SCHEMA) {
			dropped = "SCHEMA " + placement.store();
		}
		else if (placement != null && placement.isolation() == IsolationMode.DATABASE) {
			dropped = "DATABASE " + placement.cluster() + "/" + placement.database();
		}
		return new TenantErased(tenant, this.service, (placement != null) ? placement.tier() : null,
				(placement != null) ? placement.isolation() : null, (placement != null) ? placement.cluster() : null,
				dropped, rows, removed, kept, null);
	}

	/** The kept report, with the time the erase ended (or now, while it ends). */
	private TenantErased readReport(TenantErasure erasure) {
		TenantErased kept = this.json.readValue(erasure.report(), TenantErased.class);
		OffsetDateTime at = (erasure.erasedAt() != null) ? erasure.erasedAt()
				: OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
		return new TenantErased(kept.tenantId(), kept.service(), kept.tier(), kept.isolation(), kept.cluster(),
				kept.storeDropped(), kept.rowsDeleted(), kept.removed(), kept.kept(), at);
	}

	private void reply(TenantErased report) {
		this.controlTx.executeWithoutResult((s) -> replyInTransaction(report));
	}

	private void replyInTransaction(TenantErased report) {
		this.controlOutbox.append(Topics.TENANT_REPLIES, EventTypes.TENANT_ERASED, report.tenantId(), this.service,
				report);
	}

	private void drainOutbox(TenantPlacement placement) throws SQLException, InterruptedException {
		try {
			StoreRemoval.awaitOutboxDrained(this.removal.store(placement), placement.tenantId(), this.outboxDrainWait);
		}
		catch (IllegalStateException ex) {
			// Its events go with it; the report counts them.
			log.warn("Tenant {}: erasing with unsent events: {}", placement.tenantId(), ex.getMessage());
		}
	}

	/**
	 * Fence marks stay in a database after a move away from it; every cluster's base
	 * database may hold one of the tenant's.
	 */
	private void removeFenceMarks(UUID tenant) throws SQLException {
		for (Cluster cluster : this.pools.clusters()) {
			try (Connection con = this.pools.owner(cluster.name(), JdbcUrls.databaseOf(cluster.jdbcUrl()))
				.getConnection();
					PreparedStatement ps = con
						.prepareStatement("select count(*) from pg_namespace where nspname = 'tierflow_fence'")) {
				var rs = ps.executeQuery();
				rs.next();
				if (rs.getLong(1) == 0) {
					continue;
				}
				try (PreparedStatement delete = con
					.prepareStatement("delete from tierflow_fence.moved where tenant_id = ?")) {
					delete.setObject(1, tenant);
					delete.executeUpdate();
				}
			}
		}
	}

	private static boolean advisoryLock(Connection con, UUID tenant, boolean wait) throws SQLException {
		try (PreparedStatement ps = con
			.prepareStatement("select " + (wait ? "pg_advisory_lock" : "pg_try_advisory_lock") + "(" + LOCK_SPACE
					+ ", hashtext(?::text))::text")) {
			ps.setObject(1, tenant);
			var rs = ps.executeQuery();
			rs.next();
			return wait || "true".equals(rs.getString(1));
		}
	}

	private static void unlock(Connection con, UUID tenant) throws SQLException {
		try (PreparedStatement ps = con
			.prepareStatement("select pg_advisory_unlock(" + LOCK_SPACE + ", hashtext(?::text))")) {
			ps.setObject(1, tenant);
			ps.execute();
		}
	}

}
