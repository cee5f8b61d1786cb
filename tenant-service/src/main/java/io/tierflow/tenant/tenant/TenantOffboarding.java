package io.tierflow.tenant.tenant;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.outbox.Outbox;
import io.tierflow.events.tenant.TenantEraseRequested;
import io.tierflow.events.tenant.TenantStatusChanged;
import io.tierflow.tenancy.web.ConflictException;
import io.tierflow.tenancy.web.NotFoundException;
import io.tierflow.tenant.audit.AuditActions;
import io.tierflow.tenant.audit.AuditTarget;
import io.tierflow.tenant.audit.AuditTrail;
import io.tierflow.tenant.tenant.OffboardingRepository.Due;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Offboarding of a tenant: deletion with a grace period, restoring it during that period,
 * and the erase request once it ends (or at once). Every state change commits with the
 * event it causes; the {@link ErasureSaga} collects the services' reports.
 */
@Service
public class TenantOffboarding {

	private static final Logger log = LoggerFactory.getLogger(TenantOffboarding.class);

	/** Tenants whose erase one transaction of the grace-period check starts. */
	static final int ERASE_BATCH = 50;

	private final TenantRepository tenants;

	private final OffboardingRepository offboarding;

	private final TierChangeRepository changes;

	private final Outbox outbox;

	private final SagaProperties saga;

	private final OffboardingProperties properties;

	private final TenantRegistry registry;

	private final AuditTrail audit;

	TenantOffboarding(TenantRepository tenants, OffboardingRepository offboarding, TierChangeRepository changes,
			Outbox outbox, SagaProperties saga, OffboardingProperties properties, TenantRegistry registry,
			AuditTrail audit) {
		this.tenants = tenants;
		this.offboarding = offboarding;
		this.changes = changes;
		this.outbox = outbox;
		this.saga = saga;
		this.properties = properties;
		this.registry = registry;
		this.audit = audit;
	}

	/**
	 * Deletes the tenant: it is refused everywhere from now on, and erased when its grace
	 * period ends, or at once when {@code immediate} (a request to be forgotten).
	 */
	@Transactional
	public Tenant requestDeletion(UUID id, boolean immediate) {
		TenantRepository.Row row = lock(id);
		if (row.status().isOffboarding()) {
			throw new ConflictException("Tenant " + id + " is already deleted (" + row.status() + ")");
		}
		if (!row.status().isDeletable()) {
			throw new ConflictException(
					"Only an ACTIVE, SUSPENDED or FAILED tenant can be deleted; tenant " + id + " is " + row.status());
		}
		// A move in flight would leave its data half in the old placement, which the
		// erase
		// does not know about: the change ends first.
		this.changes.open(id).ifPresent((open) -> {
			throw new ConflictException("Tenant " + id + " has a " + open.kind() + " in progress (" + open.id() + ", "
					+ open.status() + "); it can be deleted once that has ended");
		});
		TenantStatus status = immediate ? TenantStatus.ERASING : TenantStatus.PENDING_ERASE;
		Duration grace = immediate ? Duration.ZERO : this.properties.eraseGrace();
		OffsetDateTime requestedAt = this.offboarding.markDeleted(id, status, grace);
		this.outbox.append(Topics.TENANT, EventTypes.TENANT_DELETED, id, id.toString(),
				new TenantStatusChanged(id, status.name()));
		this.audit.record(AuditActions.TENANT_DELETE, AuditTarget.tenant(id), id);
		if (immediate) {
			beginErase(id, requestedAt);
		}
		log.info("Tenant {} deleted: {}", id, immediate ? "erase requested now" : "erased after " + grace);
		return this.registry.get(id);
	}

	/** Takes a deleted tenant back during its grace period: ACTIVE and served again. */
	@Transactional
	public Tenant restoreDeletion(UUID id) {
		TenantRepository.Row row = lock(id);
		if (row.status() != TenantStatus.PENDING_ERASE) {
			throw new ConflictException("Only a deleted tenant in its grace period (PENDING_ERASE) can be restored;"
					+ " tenant " + id + " is " + row.status());
		}
		this.offboarding.restore(id);
		this.outbox.append(Topics.TENANT, EventTypes.TENANT_REACTIVATED, id, id.toString(),
				new TenantStatusChanged(id, TenantStatus.ACTIVE.name()));
		this.audit.record(AuditActions.TENANT_RESTORE_DELETION, AuditTarget.tenant(id), id);
		log.info("Tenant {} restored from deletion", id);
		return this.registry.get(id);
	}

	/**
	 * Erases a tenant whose import failed, at once and in the caller's transaction: the
	 * services that loaded their part remove it, those that refused theirs have nothing
	 * to remove, and nothing half-imported stays. There is no grace period: nothing was
	 * ever served to restore.
	 * @param reason why the import failed, kept as the status reason while it is erased
	 * @return whether the erase was requested (the tenant was IMPORTING)
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public boolean eraseFailedImport(UUID id, String reason) {
		TenantRepository.Row row = lock(id);
		if (row.status() != TenantStatus.IMPORTING) {
			return false;
		}
		OffsetDateTime requestedAt = this.offboarding.markDeleted(id, TenantStatus.ERASING, Duration.ZERO);
		this.outbox.append(Topics.TENANT, EventTypes.TENANT_DELETED, id, id.toString(),
				new TenantStatusChanged(id, TenantStatus.ERASING.name()));
		beginErase(id, requestedAt);
		this.tenants.updateStatus(id, TenantStatus.ERASING, "Import failed: " + reason);
		log.warn("Tenant {}: import failed ({}); erase requested", id, reason);
		return true;
	}

	/**
	 * Starts the erase of up to {@link #ERASE_BATCH} tenants whose grace period has
	 * ended, skipping those another instance is starting.
	 * @return the number of erases started
	 */
	@Transactional
	public int startDueErasures() {
		List<Due> due = this.offboarding.dueForErase(ERASE_BATCH);
		for (Due tenant : due) {
			beginErase(tenant.id(), tenant.deleteRequestedAt());
			log.info("Tenant {}: grace period over, erase requested", tenant.id());
		}
		return due.size();
	}

	/**
	 * What was erased of the tenant, per service, so far.
	 * @throws NotFoundException if the tenant is unknown or was never deleted
	 */
	@Transactional(readOnly = true)
	public ErasureCertificate certificate(UUID id) {
		TenantRepository.Row row = this.tenants.find(id).orElseThrow(() -> new NotFoundException("No tenant " + id));
		if (row.deleteRequestedAt() == null) {
			throw new NotFoundException("Tenant " + id + " has not been deleted: there is no erasure");
		}
		return new ErasureCertificate(id, row.status(), row.deleteRequestedAt(), row.eraseAfter(), row.erasedAt(),
				this.offboarding.ownReport(id).orElse(null), this.offboarding.serviceErasures(id));
	}

	private void beginErase(UUID id, OffsetDateTime requestedAt) {
		this.offboarding.beginErase(id, this.saga.services());
		this.outbox.append(Topics.TENANT, EventTypes.TENANT_ERASE_REQUESTED, id, id.toString(),
				new TenantEraseRequested(id, requestedAt));
		this.audit.record(AuditActions.TENANT_ERASE, AuditTarget.tenant(id), id);
	}

	private TenantRepository.Row lock(UUID id) {
		return this.tenants.findForUpdate(id).orElseThrow(() -> new NotFoundException("No tenant " + id));
	}

}
