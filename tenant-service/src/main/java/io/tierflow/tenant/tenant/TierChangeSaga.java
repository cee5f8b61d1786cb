package io.tierflow.tenant.tenant;

import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import io.tierflow.events.DomainEvent;
import io.tierflow.events.EventTypes;
import io.tierflow.events.MalformedEventException;
import io.tierflow.events.Topics;
import io.tierflow.events.inbox.EventInbox;
import io.tierflow.events.outbox.Outbox;
import io.tierflow.events.tenant.TenantMigrated;
import io.tierflow.events.tenant.TenantMoveProgress;
import io.tierflow.events.tenant.TierChangeRequested;
import io.tierflow.events.tenant.TierChanged;
import io.tierflow.tenant.tenant.Tenant.ServicePlacement;
import io.tierflow.tenant.tenant.TierChange.Kind;
import io.tierflow.tenant.tenant.TierChange.Move;
import io.tierflow.tenant.tenant.TierChange.MoveStatus;
import io.tierflow.tenant.tenant.TierChange.Status;
import io.tierflow.tenant.tenant.TierChangeRepository.Change;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * Orchestrates a tier change (or rebalance) across the tenant-data services from their
 * replies. Progress is recorded per service for the API. Once every service of the
 * forward round has answered, the change is COMPLETED (the tenant takes the new plan) or,
 * if one failed, the services that moved are asked to move back; once they have answered
 * the change is ROLLED_BACK, or ROLLBACK_FAILED when one could not, which leaves the
 * tenant split and needs an operator. Each reply is applied once, and every state change
 * commits with the event it causes.
 */
@Component
class TierChangeSaga {

	private static final Logger log = LoggerFactory.getLogger(TierChangeSaga.class);

	static final String CONSUMER = "tenant-service.tier-change";

	private final TenantRepository tenants;

	private final TierChangeRepository changes;

	private final EventInbox inbox;

	private final Outbox outbox;

	private final JsonMapper json;

	TierChangeSaga(TenantRepository tenants, TierChangeRepository changes, EventInbox inbox, Outbox outbox,
			JsonMapper json) {
		this.tenants = tenants;
		this.changes = changes;
		this.inbox = inbox;
		this.outbox = outbox;
		this.json = json;
	}

	/** Applies a move_progress or migrated reply; other events are not for this saga. */
	void accept(DomainEvent event) {
		switch (event.type()) {
			case EventTypes.TENANT_MOVE_PROGRESS -> {
				TenantMoveProgress progress = event.data(this.json, TenantMoveProgress.class);
				requireIdentity(event, progress.tenantId(), progress.changeId(), progress.service());
				this.inbox.handleOnce(CONSUMER, event, () -> progressed(progress));
			}
			case EventTypes.TENANT_MIGRATED -> {
				TenantMigrated migrated = event.data(this.json, TenantMigrated.class);
				requireIdentity(event, migrated.tenantId(), migrated.changeId(), migrated.service());
				this.inbox.handleOnce(CONSUMER, event, () -> migrated(migrated));
			}
			default -> log.debug("Ignoring {} for tenant {}", event.type(), event.tenantId());
		}
	}

	private void progressed(TenantMoveProgress progress) {
		if (!this.changes.recordProgress(progress)) {
			log.debug("Progress of {} in tier change {} (rollback {}) ignored: no such running move",
					progress.service(), progress.changeId(), progress.rollback());
		}
	}

	private void migrated(TenantMigrated reply) {
		if (this.tenants.findForUpdate(reply.tenantId()).isEmpty()) {
			log.warn("Migrated reply from {} for unknown tenant {}", reply.service(), reply.tenantId());
			return;
		}
		Change change = this.changes.find(reply.changeId())
			.filter((c) -> c.tenantId().equals(reply.tenantId()))
			.orElse(null);
		if (change == null || !change.status().isOpen()) {
			log.info("Migrated reply from {} for tier change {} of tenant {} ignored: the change is {}",
					reply.service(), reply.changeId(), reply.tenantId(),
					(change != null) ? change.status() : "unknown");
			return;
		}
		boolean rollbackRound = change.status() == Status.ROLLING_BACK;
		if (reply.rollback() != rollbackRound) {
			log.info("Migrated reply from {} for tier change {} ignored: it answers the {} round, the change is {}",
					reply.service(), change.id(), reply.rollback() ? "rollback" : "forward", change.status());
			return;
		}
		if (!this.changes.recordResult(reply)) {
			log.info("Migrated reply from {} for tier change {} ignored: its move is final already or unknown",
					reply.service(), change.id());
			return;
		}
		if (reply.succeeded()) {
			this.tenants.recordPlacement(reply.tenantId(),
					new ServicePlacement(reply.service(), "READY", reply.tier(),
							(reply.isolation() != null) ? reply.isolation().name() : null, reply.cluster(),
							reply.database(), reply.schema(), reply.epoch(), null, null));
		}
		List<Move> round = this.changes.round(change.id(), rollbackRound);
		if (round.stream().allMatch((m) -> m.status().isFinal())) {
			if (rollbackRound) {
				rollbackDone(change, round);
			}
			else {
				forwardDone(change, round);
			}
		}
	}

	private void forwardDone(Change change, List<Move> round) {
		List<Move> failed = failed(round);
		if (failed.isEmpty()) {
			this.changes.updateStatus(change.id(), Status.COMPLETED, null);
			if (change.kind() == Kind.TIER_CHANGE) {
				this.tenants.updatePlan(change.tenantId(), change.toPlan());
			}
			announce(EventTypes.TENANT_TIER_CHANGED, change, null);
			log.info("{} {} of tenant {} COMPLETED: {} -> {} in {}", change.kind(), change.id(), change.tenantId(),
					change.fromPlan(), change.toPlan(), change.services());
			return;
		}
		String reason = reasons(failed);
		List<String> moved = round.stream()
			.filter((m) -> m.status() == MoveStatus.SUCCEEDED)
			.map(Move::service)
			.sorted((a, b) -> Integer.compare(change.services().indexOf(a), change.services().indexOf(b)))
			.toList();
		if (moved.isEmpty()) {
			this.changes.updateStatus(change.id(), Status.ROLLED_BACK, reason);
			announce(EventTypes.TENANT_TIER_CHANGE_FAILED, change, reason);
			log.warn("{} {} of tenant {} failed, nothing moved: {}", change.kind(), change.id(), change.tenantId(),
					reason);
			return;
		}
		this.changes.updateStatus(change.id(), Status.ROLLING_BACK, reason);
		this.changes.insertPendingMoves(change.id(), moved, true);
		this.outbox.append(Topics.TENANT, EventTypes.TENANT_TIER_CHANGE_ROLLBACK_REQUESTED, change.tenantId(),
				change.id().toString(),
				new TierChangeRequested(change.tenantId(), change.id(), change.toPlan().name(),
						change.fromPlan().name(), change.toTier(), change.fromTier(), change.kind() == Kind.REBALANCE,
						moved, true));
		log.warn("{} {} of tenant {} failed ({}); moving {} back", change.kind(), change.id(), change.tenantId(),
				reason, moved);
	}

	private void rollbackDone(Change change, List<Move> round) {
		List<Move> failed = failed(round);
		if (failed.isEmpty()) {
			this.changes.updateStatus(change.id(), Status.ROLLED_BACK, change.reason());
			announce(EventTypes.TENANT_TIER_CHANGE_FAILED, change, change.reason());
			log.warn("{} {} of tenant {} ROLLED_BACK: {}", change.kind(), change.id(), change.tenantId(),
					change.reason());
			return;
		}
		String reason = change.reason() + "; rollback failed: " + reasons(failed);
		this.changes.updateStatus(change.id(), Status.ROLLBACK_FAILED, reason);
		announce(EventTypes.TENANT_TIER_CHANGE_FAILED, change, reason);
		log.error("{} {} of tenant {} could not be rolled back; the tenant is split across tiers and needs an"
				+ " operator: {}", change.kind(), change.id(), change.tenantId(), reason);
	}

	private void announce(String type, Change change, String reason) {
		this.outbox.append(Topics.TENANT, type, change.tenantId(), change.id().toString(),
				new TierChanged(change.tenantId(), change.id(), change.fromPlan().name(), change.toPlan().name(),
						change.fromTier(), change.toTier(), change.kind() == Kind.REBALANCE, reason));
	}

	private static List<Move> failed(List<Move> round) {
		return round.stream().filter((m) -> m.status() == MoveStatus.FAILED).toList();
	}

	private static String reasons(List<Move> failed) {
		return failed.stream()
			.map((m) -> m.service() + ": " + ((m.reason() != null) ? m.reason() : "no reason given"))
			.collect(Collectors.joining("; "));
	}

	private static void requireIdentity(DomainEvent event, UUID tenantId, UUID changeId, String service) {
		if (tenantId == null || changeId == null || service == null || service.isBlank()) {
			throw new MalformedEventException(
					"Reply " + event.id() + " lacks its tenant, change or service: " + event.dataAsString());
		}
		if (!tenantId.equals(event.tenantId())) {
			throw new MalformedEventException(
					"Reply " + event.id() + " is about tenant " + tenantId + " but keyed to " + event.tenantId());
		}
	}

}
