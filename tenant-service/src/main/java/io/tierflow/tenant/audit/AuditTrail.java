package io.tierflow.tenant.audit;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import com.github.f4b6a3.uuid.UuidCreator;
import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.audit.AuditRecorded;
import io.tierflow.events.outbox.Outbox;
import io.tierflow.tenancy.security.TierflowSecurityProperties;

import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The audit trail of tenant-service. A service records each action it carries out with
 * one call in the transaction of the change, after the change, as it appends the change's
 * event: the record commits or rolls back with it, and its event on
 * {@code tierflow.audit} goes through the same outbox. Requests refused with a problem
 * are recorded by {@link RefusalRecorder} in a transaction of their own.
 * <p>
 * Each record joins the hash chain of the tenant the action concerns (the platform's for
 * actions that concern none); its head row stays locked until the transaction ends, so
 * appends to one chain queue (the lock is taken last, after the tenant's own row, and
 * held only for the commit) and appends to different chains do not wait for each other.
 */
@Component
public class AuditTrail {

	private final AuditLog log;

	private final Outbox outbox;

	private final String tenantClaim;

	private final TransactionTemplate ownTransaction;

	AuditTrail(AuditLog log, Outbox outbox, TierflowSecurityProperties security,
			PlatformTransactionManager transactions) {
		this.log = log;
		this.outbox = outbox;
		this.tenantClaim = security.tenantClaim();
		this.ownTransaction = new TransactionTemplate(transactions);
	}

	/**
	 * Records a succeeded action of the current actor (the request's token, or the
	 * service itself outside of a request). Must run inside the transaction that makes
	 * the change.
	 * @param action the action ({@link AuditActions})
	 * @param tenantId the tenant the action concerns; null for a platform action
	 */
	public void record(String action, AuditTarget target, UUID tenantId) {
		if (!TransactionSynchronizationManager.isActualTransactionActive()) {
			throw new IllegalStateException("AuditTrail.record must run inside the transaction that makes the change");
		}
		append(action, target, tenantId, actor(), 0, RequestIds.current());
		RequestIds.markRecorded();
	}

	/** How many records of the tenant's chain there are; they outlive its erase. */
	public long recordsOf(UUID tenantId) {
		return this.log.count(tenantId);
	}

	/** Records a request answered with a problem, in a transaction of its own. */
	void recordProblem(String action, AuditTarget target, UUID tenantId, Actor actor, int status, String requestId) {
		this.ownTransaction.executeWithoutResult((tx) -> append(action, target, tenantId, actor, status, requestId));
	}

	Actor actor() {
		return Actor.current(this.tenantClaim);
	}

	private void append(String action, AuditTarget target, UUID tenantId, Actor actor, int status, String requestId) {
		AuditActions.requireValid(action);
		target.requireValid();
		UUID chain = ChainHash.chainOf(tenantId);
		AuditLog.Head head = this.log.lockHead(chain);
		// Id and time once the chain is ours: both grow with the position.
		UUID id = UuidCreator.getTimeOrderedEpoch();
		OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
		Outcome outcome = Outcome.of(status);
		AuditRecord record = new AuditRecord(id, tenantId, head.seq() + 1, now, action, target, actor, outcome,
				(outcome != Outcome.SUCCEEDED) ? status : null, requestId, ChainHash.HEX.formatHex(head.hash()), null);
		byte[] hash = ChainHash.hash(head.hash(), record);
		this.log.append(record, head.hash(), hash);
		this.outbox.append(Topics.AUDIT, EventTypes.AUDIT_RECORDED, chain, id.toString(),
				new AuditRecorded(id, tenantId, record.seq(), now, action, target.type(), target.id(), actor.subject(),
						actor.tenantId(), actor.clientId(), outcome.name(), record.status(), requestId,
						ChainHash.HEX.formatHex(hash)));
	}

}
