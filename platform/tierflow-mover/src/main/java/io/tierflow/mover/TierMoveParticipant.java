package io.tierflow.mover;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import io.tierflow.events.DomainEvent;
import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.inbox.EventInbox;
import io.tierflow.events.outbox.Outbox;
import io.tierflow.events.provisioning.TierChangeParticipant;
import io.tierflow.events.tenant.MovePhase;
import io.tierflow.events.tenant.TenantMigrated;
import io.tierflow.events.tenant.TenantMoveProgress;
import io.tierflow.events.tenant.TierChangeRequested;
import io.tierflow.tenancy.placement.ConflictingMoveException;
import io.tierflow.tenancy.placement.NoPlacementAvailableException;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.UnknownTenantException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A tenant-data service's part in tenant-service's tier-change saga: on a tier change (or
 * rollback) request it records a move with the {@link TenantMover} on the consumer thread
 * — so an acknowledged request is never lost — and runs it in the background, answering
 * {@code tenant.move_progress} (phase, rows, lag; on every phase change and at most once
 * a second) and finally {@code tenant.migrated} through the control outbox. The final
 * answer commits with the move's end record ({@link TenantMover.Outcomes}), also when the
 * move is finished or rolled back by another instance after this process died. A
 * redelivered request finds its move recorded and starts nothing.
 */
public class TierMoveParticipant implements TierChangeParticipant, TenantMover.Outcomes, DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(TierMoveParticipant.class);

	private static final Duration PROGRESS_PACE = Duration.ofSeconds(1);

	private final String service;

	private final TenantProvisioner provisioner;

	private final TenantMover mover;

	private final TransactionTemplate controlTx;

	private final EventInbox controlInbox;

	private final Outbox controlOutbox;

	private final TenantMover.Options options;

	private final ExecutorService moves;

	/** The move of each running request: its change and the last progress sent. */
	private final Map<UUID, Running> running = new ConcurrentHashMap<>();

	/**
	 * @param options how moves run; {@code removeSourceAfter} should cover the placement
	 * cache's time to live
	 */
	public TierMoveParticipant(String service, TenantProvisioner provisioner, TenantMover mover,
			TransactionTemplate controlTx, EventInbox controlInbox, Outbox controlOutbox, TenantMover.Options options) {
		this.service = service;
		this.provisioner = provisioner;
		this.mover = mover;
		this.controlTx = controlTx;
		this.controlInbox = controlInbox;
		this.controlOutbox = controlOutbox;
		this.options = options;
		AtomicInteger threads = new AtomicInteger();
		// Moves are rare, admin-started and mostly waiting on PostgreSQL: one thread
		// each.
		this.moves = Executors.newCachedThreadPool((r) -> {
			Thread t = new Thread(r, "tierflow-move-" + threads.incrementAndGet());
			t.setDaemon(true);
			return t;
		});
	}

	@Override
	public void requested(DomainEvent event, TierChangeRequested request) {
		if (!request.concerns(this.service)) {
			return;
		}
		TenantMover.Request key = new TenantMover.Request(request.changeId(), request.rollback());
		if (this.mover.recorded(key)) {
			log.info("Tier change {} of tenant {}: already recorded here, redelivery ignored", request.changeId(),
					request.tenantId());
			return;
		}
		TenantPlacement current = this.provisioner.find(request.tenantId())
			.filter((p) -> p.state() == PlacementState.READY)
			.orElse(null);
		if (current == null) {
			answerOnce(event, request, null, false, "the tenant has no ready placement in " + this.service);
			return;
		}
		if (current.tier() == request.toTier() && !request.rebalance()) {
			// Already where it should be (this service placed it so, or its autopilot
			// did):
			// nothing to move, but the plan is this tier from now on.
			this.provisioner.recordPlan(request.tenantId(), request.toTier());
			answerOnce(event, request, current, true, null);
			return;
		}
		String avoid = request.rebalance() ? current.cluster() : null;
		TenantMover.Planned planned;
		try {
			planned = this.mover.begin(request.tenantId(), request.toTier(), current.region(), avoid, key);
		}
		catch (NoPlacementAvailableException | ConflictingMoveException | UnknownTenantException
				| IllegalArgumentException ex) {
			answerOnce(event, request, current, false, ex.getMessage());
			return;
		}
		this.running.put(planned.move(), new Running(request));
		log.info("Tier change {}: moving tenant {} in {} from {} to {} (move {})", request.changeId(),
				request.tenantId(), this.service, planned.from().store(), planned.to().store(), planned.move());
		this.moves.execute(() -> run(planned));
	}

	private void run(TenantMover.Planned planned) {
		MDC.put("tenant", planned.from().tenantId().toString());
		try {
			this.mover.run(planned, this.options, this::progress);
		}
		catch (InterruptedException ex) {
			// Shutting down: the move stays recorded and is rolled back by recovery.
			Thread.currentThread().interrupt();
		}
		catch (Exception ex) {
			log.error("Move {} failed unexpectedly; recovery will roll it back", planned.move(), ex);
		}
		finally {
			this.running.remove(planned.move());
			MDC.remove("tenant");
		}
	}

	private void progress(UUID move, MovePhase phase, long changes, Duration lag) {
		Running run = this.running.get(move);
		if (run == null || phase == MovePhase.ABORTED) {
			return; // the result says it
		}
		long now = System.nanoTime();
		synchronized (run) {
			if (phase == run.phase && now - run.sentAt < PROGRESS_PACE.toNanos()) {
				return;
			}
			run.phase = phase;
			run.sentAt = now;
		}
		TierChangeRequested r = run.request;
		this.controlTx.executeWithoutResult(
				(s) -> this.controlOutbox.append(Topics.TENANT_REPLIES, EventTypes.TENANT_MOVE_PROGRESS, r.tenantId(),
						this.service, new TenantMoveProgress(r.tenantId(), r.changeId(), r.rollback(), this.service,
								move, phase, changes, (lag != null) ? lag.toMillis() : null)));
	}

	/** Answers the end of a move, in the transaction that records it. */
	@Override
	public void ended(TenantMover.Outcome outcome) {
		if (outcome.request() == null) {
			return; // not a saga's move
		}
		Map<String, TenantMigrated.Checksum> sums = new LinkedHashMap<>();
		outcome.checksums()
			.forEach((table, sum) -> sums.put(table, new TenantMigrated.Checksum(sum.rows(), sum.checksum())));
		TenantPlacement p = outcome.placement();
		this.controlOutbox.append(Topics.TENANT_REPLIES, EventTypes.TENANT_MIGRATED, outcome.tenant(), this.service,
				new TenantMigrated(outcome.tenant(), outcome.request().changeId(), outcome.request().rollback(),
						this.service, outcome.move(), outcome.succeeded(), outcome.reason(),
						(p != null) ? p.tier() : null, (p != null) ? p.isolation() : null,
						(p != null) ? p.cluster() : null, (p != null) ? p.database() : null,
						(p != null) ? p.schema() : null, (p != null) ? p.epoch() : 0, outcome.changesApplied(), sums,
						(outcome.fenced() != null) ? outcome.fenced().toMillis() : null));
	}

	/** Answers a request that moved nothing, once however often it is delivered. */
	private void answerOnce(DomainEvent event, TierChangeRequested r, TenantPlacement p, boolean succeeded,
			String reason) {
		if (!succeeded) {
			log.warn("Tier change {} of tenant {} refused in {}: {}", r.changeId(), r.tenantId(), this.service, reason);
		}
		this.controlInbox.handleOnce(this.service + ".tier-change", event,
				() -> this.controlOutbox.append(Topics.TENANT_REPLIES, EventTypes.TENANT_MIGRATED, r.tenantId(),
						this.service,
						new TenantMigrated(r.tenantId(), r.changeId(), r.rollback(), this.service, null, succeeded,
								reason, (p != null) ? p.tier() : null, (p != null) ? p.isolation() : null,
								(p != null) ? p.cluster() : null, (p != null) ? p.database() : null,
								(p != null) ? p.schema() : null, (p != null) ? p.epoch() : 0, 0, Map.of(), null)));
	}

	/** Stops the running moves; recovery rolls them back (or finishes switched ones). */
	@Override
	public void destroy() {
		this.moves.shutdownNow();
	}

	private static final class Running {

		final TierChangeRequested request;

		MovePhase phase;

		long sentAt;

		Running(TierChangeRequested request) {
			this.request = request;
		}

	}

}
