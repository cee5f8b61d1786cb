package io.tierflow.tenant.tenant;

import java.util.List;
import java.util.UUID;

import com.github.f4b6a3.uuid.UuidCreator;
import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.outbox.Outbox;
import io.tierflow.events.tenant.TenantCreated;
import io.tierflow.events.tenant.TenantProvisioned;
import io.tierflow.events.tenant.TenantStatusChanged;
import io.tierflow.events.tenant.TierChangeRequested;
import io.tierflow.events.tenant.TierChanged;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.web.ConflictException;
import io.tierflow.tenancy.web.NotFoundException;
import io.tierflow.tenant.audit.AuditActions;
import io.tierflow.tenant.audit.AuditTarget;
import io.tierflow.tenant.audit.AuditTrail;
import io.tierflow.tenant.tenant.TierChange.Kind;
import io.tierflow.tenant.tenant.TierChange.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Tenant lifecycle. Every state change and its event commit together (the outbox is in
 * this database), so no tenant exists that the other services will never hear of.
 */
@Service
public class TenantRegistry {

	private static final Logger log = LoggerFactory.getLogger(TenantRegistry.class);

	private final TenantRepository tenants;

	private final TierChangeRepository changes;

	private final Outbox outbox;

	private final SagaProperties saga;

	private final AuditTrail audit;

	TenantRegistry(TenantRepository tenants, TierChangeRepository changes, Outbox outbox, SagaProperties saga,
			AuditTrail audit) {
		this.tenants = tenants;
		this.changes = changes;
		this.outbox = outbox;
		this.saga = saga;
		this.audit = audit;
	}

	@Transactional
	public Tenant create(String name, String slug, Plan plan, String region) {
		UUID id = UuidCreator.getTimeOrderedEpoch();
		try {
			this.tenants.insert(id, name, slug, plan, region);
		}
		catch (DuplicateKeyException ex) {
			throw new ConflictException("A tenant with slug '" + slug + "' already exists");
		}
		for (String service : this.saga.services()) {
			this.tenants.insertPendingPlacement(id, service);
		}
		this.outbox.append(Topics.TENANT, EventTypes.TENANT_CREATED, id, id.toString(),
				new TenantCreated(id, name, slug, plan.name(), plan.tier(), region));
		this.audit.record(AuditActions.TENANT_CREATE, AuditTarget.tenant(id), id);
		return get(id);
	}

	@Transactional(readOnly = true)
	public Tenant get(UUID id) {
		TenantRepository.Row row = this.tenants.find(id).orElseThrow(() -> new NotFoundException("No tenant " + id));
		return view(row);
	}

	@Transactional(readOnly = true)
	public List<Tenant> page(TenantRepository.Filter filter, int page, int size) {
		return this.tenants.page(filter, size, (long) page * size).stream().map(this::view).toList();
	}

	@Transactional
	public Tenant suspend(UUID id, String reason) {
		TenantRepository.Row row = lock(id);
		if (row.status() != TenantStatus.ACTIVE) {
			throw new ConflictException("Only an ACTIVE tenant can be suspended; tenant " + id + " is " + row.status());
		}
		this.tenants.updateStatus(id, TenantStatus.SUSPENDED, reason);
		this.outbox.append(Topics.TENANT, EventTypes.TENANT_SUSPENDED, id, id.toString(),
				new TenantStatusChanged(id, TenantStatus.SUSPENDED.name()));
		this.audit.record(AuditActions.TENANT_SUSPEND, AuditTarget.tenant(id), id);
		return get(id);
	}

	@Transactional
	public Tenant reactivate(UUID id) {
		TenantRepository.Row row = lock(id);
		if (row.status() != TenantStatus.SUSPENDED) {
			throw new ConflictException(
					"Only a SUSPENDED tenant can be reactivated; tenant " + id + " is " + row.status());
		}
		this.tenants.updateStatus(id, TenantStatus.ACTIVE, null);
		this.outbox.append(Topics.TENANT, EventTypes.TENANT_REACTIVATED, id, id.toString(),
				new TenantStatusChanged(id, TenantStatus.ACTIVE.name()));
		this.audit.record(AuditActions.TENANT_REACTIVATE, AuditTarget.tenant(id), id);
		return get(id);
	}

	/**
	 * Records a change of plan. Within the same tier nothing moves and the change is done
	 * at once; otherwise the tier-change saga moves the tenant's data in every service.
	 */
	@Transactional
	public Tenant requestTierChange(UUID id, Plan to, String requestedBy) {
		TenantRepository.Row row = lock(id);
		if (row.status() != TenantStatus.ACTIVE) {
			throw new ConflictException("Only an ACTIVE tenant can change tier; tenant " + id + " is " + row.status());
		}
		if (row.plan() == to) {
			throw new ConflictException("Tenant " + id + " is already on plan " + to);
		}
		requireNoOpenChange(id);
		Plan from = row.plan();
		UUID change = UuidCreator.getTimeOrderedEpoch();
		if (from.tier() == to.tier()) {
			this.tenants.updatePlan(id, to);
			this.changes.insert(change, id, Kind.TIER_CHANGE, from, to, Status.COMPLETED, List.of(), requestedBy);
			this.outbox.append(Topics.TENANT, EventTypes.TENANT_TIER_CHANGED, id, change.toString(),
					new TierChanged(id, change, from.name(), to.name(), from.tier(), to.tier(), false, null));
			this.audit.record(AuditActions.TENANT_CHANGE_TIER, AuditTarget.of("tier_change", change), id);
			return get(id);
		}
		List<String> services = this.saga.services();
		this.changes.insert(change, id, Kind.TIER_CHANGE, from, to, Status.REQUESTED, services, requestedBy);
		this.changes.insertPendingMoves(change, services, false);
		this.outbox.append(Topics.TENANT, EventTypes.TENANT_TIER_CHANGE_REQUESTED, id, change.toString(),
				new TierChangeRequested(id, change, from.name(), to.name(), from.tier(), to.tier(), false, services,
						false));
		this.audit.record(AuditActions.TENANT_CHANGE_TIER, AuditTarget.of("tier_change", change), id);
		return get(id);
	}

	/**
	 * Moves the tenant to another cluster of its tier in the given services (null: in
	 * every one); the tier-change saga carries it out.
	 * @throws UnknownServiceException if a service takes no part in tier changes
	 */
	@Transactional
	public Tenant requestRebalance(UUID id, List<String> services, String requestedBy) {
		List<String> moving = (services != null) ? known(services) : this.saga.services();
		TenantRepository.Row row = lock(id);
		if (row.status() != TenantStatus.ACTIVE) {
			throw new ConflictException(
					"Only an ACTIVE tenant can be rebalanced; tenant " + id + " is " + row.status());
		}
		requireNoOpenChange(id);
		Plan plan = row.plan();
		UUID change = UuidCreator.getTimeOrderedEpoch();
		this.changes.insert(change, id, Kind.REBALANCE, plan, plan, Status.REQUESTED, moving, requestedBy);
		this.changes.insertPendingMoves(change, moving, false);
		this.outbox.append(Topics.TENANT, EventTypes.TENANT_TIER_CHANGE_REQUESTED, id, change.toString(),
				new TierChangeRequested(id, change, plan.name(), plan.name(), plan.tier(), plan.tier(), true, moving,
						false));
		this.audit.record(AuditActions.TENANT_REBALANCE, AuditTarget.of("tier_change", change), id);
		return get(id);
	}

	/**
	 * The tenant's tier changes and rebalances, newest first, with every service's move.
	 */
	@Transactional(readOnly = true)
	public List<TierChange> tierChanges(UUID id, int page, int size) {
		this.tenants.find(id).orElseThrow(() -> new NotFoundException("No tenant " + id));
		return this.changes.history(id, size, (long) page * size);
	}

	/**
	 * Checks that the tenant may get a user now and returns its plan, whose user limit
	 * the caller enforces in the same transaction. The tenant's row stays locked until
	 * the caller commits: concurrent creations for one tenant queue, so each counts the
	 * users of those before it and no two pass the limit together; nor can a suspension,
	 * a deletion or a change of plan slip in between the check and the new user.
	 * @throws NotFoundException if there is no such tenant
	 * @throws ConflictException if the tenant is suspended or deleted
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public Plan lockForNewUser(UUID id) {
		TenantRepository.Row row = this.tenants.findForNewUser(id)
			.orElseThrow(() -> new NotFoundException("No tenant " + id));
		if (!row.status().acceptsNewUsers()) {
			throw new ConflictException("Tenant " + id + " is " + row.status()
					+ ": a suspended or offboarding tenant cannot get new users");
		}
		return row.plan();
	}

	/**
	 * Checks that the tenant's users may be changed or deleted now, in the caller's
	 * transaction: the tenant's row stays share-locked until the caller commits, so the
	 * erase, which removes every user, waits for the change or comes before it.
	 * @throws NotFoundException if there is no such tenant
	 * @throws ConflictException if the tenant is being erased
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public void requireUsersChangeable(UUID id) {
		TenantStatus status = this.tenants.statusForShare(id)
			.orElseThrow(() -> new NotFoundException("No tenant " + id));
		if (status.isErasing()) {
			throw new ConflictException("Tenant " + id + " is " + status + ": its users are being erased");
		}
	}

	/**
	 * Provisions a FAILED tenant again: the services that did not place it get
	 * tenant.created once more, with the data it was created with, and the tenant is
	 * PROVISIONING until every service replied READY. The placements that are READY stay
	 * so: a service that placed the tenant does not answer a second tenant.created. A
	 * tenant whose every placement is READY by now (a redelivered tenant.created found
	 * capacity after all) becomes ACTIVE at once.
	 */
	@Transactional
	public Tenant retryProvisioning(UUID id) {
		TenantRepository.Row row = lock(id);
		if (row.status() != TenantStatus.FAILED) {
			throw new ConflictException(
					"Only a FAILED tenant can be provisioned again; tenant " + id + " is " + row.status());
		}
		this.tenants.resetUnreadyPlacements(id);
		this.audit.record(AuditActions.TENANT_RETRY_PROVISIONING, AuditTarget.tenant(id), id);
		if (this.tenants.readyInAll(id, this.saga.services())) {
			this.tenants.updateStatus(id, TenantStatus.ACTIVE, null);
			log.info("Tenant {} is ACTIVE: every service had placed it", id);
			return get(id);
		}
		this.tenants.updateStatus(id, TenantStatus.PROVISIONING, null);
		this.outbox.append(Topics.TENANT, EventTypes.TENANT_CREATED, id, id.toString(), created(row));
		log.info("Tenant {}: provisioning retried after {}", id, row.statusReason());
		return get(id);
	}

	/**
	 * Creates the tenant an import fills, in the caller's transaction (which records the
	 * import and publishes its request): IMPORTING, with a PENDING placement in every
	 * service. It gets a new id, or with {@code keptId} the archive's own: when no tenant
	 * has that id, or when the tenant that had it is erased, whose tombstone then takes
	 * the new name, slug and plan, its deletion and erase marks cleared.
	 * @param keptId the id to keep, or null for a new one
	 * @throws ConflictException if the slug is taken, or the kept id belongs to a tenant
	 * that is not erased
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public Tenant createImporting(UUID keptId, String name, String slug, Plan plan, String region) {
		UUID id = (keptId != null) ? keptId : UuidCreator.getTimeOrderedEpoch();
		try {
			TenantRepository.Row existing = (keptId != null) ? this.tenants.findForUpdate(id).orElse(null) : null;
			if (existing == null) {
				if (!this.tenants.insertIfAbsent(id, name, slug, plan, region, TenantStatus.IMPORTING)) {
					throw new ConflictException("Tenant " + id + " exists: its id can be kept only once it is erased");
				}
			}
			else if (existing.status() == TenantStatus.ERASED) {
				this.tenants.takeOverTombstone(id, name, slug, plan, region, TenantStatus.IMPORTING);
			}
			else {
				throw new ConflictException("Tenant " + id + " exists and is " + existing.status()
						+ ": its id can be kept only once it is erased");
			}
		}
		catch (DuplicateKeyException ex) {
			throw new ConflictException("A tenant with slug '" + slug + "' already exists");
		}
		this.tenants.resetPlacements(id, this.saga.services());
		return get(id);
	}

	/**
	 * Records a service's result of importing the tenant on its placement (unless that
	 * service reported it READY already), in the caller's transaction.
	 * @param placed whether the service loaded and verified its part
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public void recordImport(UUID id, String service, boolean placed, Tier tier, String isolation, String cluster,
			String reason) {
		this.tenants.recordImportedPlacement(id, service, placed ? TenantProvisioned.READY : TenantProvisioned.FAILED,
				tier, isolation, cluster, reason);
	}

	/**
	 * Turns an IMPORTING tenant ACTIVE once every service loaded and verified its part,
	 * in the caller's transaction.
	 * @return whether it was IMPORTING
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public boolean activateImported(UUID id) {
		TenantRepository.Row row = lock(id);
		if (row.status() != TenantStatus.IMPORTING) {
			return false;
		}
		this.tenants.updateStatus(id, TenantStatus.ACTIVE, null);
		log.info("Tenant {} is ACTIVE: imported in {}", id, this.saga.services());
		return true;
	}

	/**
	 * The tenant's status, read in the caller's transaction with the tenant's row
	 * share-locked until it ends: a deletion or an erase waits for what the caller
	 * records about the tenant, or comes before it.
	 * @throws NotFoundException if there is no such tenant
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public TenantStatus statusForShare(UUID id) {
		return this.tenants.statusForShare(id).orElseThrow(() -> new NotFoundException("No tenant " + id));
	}

	/** The tenant-data services every tenant is placed in, in the sagas' order. */
	public List<String> services() {
		return this.saga.services();
	}

	private void requireNoOpenChange(UUID id) {
		this.changes.open(id).ifPresent((open) -> {
			throw new ConflictException("Tenant " + id + " already has a " + open.kind() + " in progress (" + open.id()
					+ ", " + open.status() + ")");
		});
	}

	/** The named services in the saga's order, each once; all must be known. */
	private List<String> known(List<String> services) {
		for (String service : services) {
			if (!this.saga.services().contains(service)) {
				throw new UnknownServiceException(service, this.saga.services());
			}
		}
		return this.saga.services().stream().filter(services::contains).toList();
	}

	private static TenantCreated created(TenantRepository.Row row) {
		return new TenantCreated(row.id(), row.name(), row.slug(), row.plan().name(), row.plan().tier(), row.region());
	}

	private TenantRepository.Row lock(UUID id) {
		return this.tenants.findForUpdate(id).orElseThrow(() -> new NotFoundException("No tenant " + id));
	}

	private Tenant view(TenantRepository.Row row) {
		return new Tenant(row.id(), row.name(), row.slug(), row.plan(), row.plan().tier(), row.region(), row.status(),
				row.statusReason(), row.createdAt(), row.deleteRequestedAt(), row.eraseAfter(), row.erasedAt(),
				this.tenants.placements(row.id()), this.changes.open(row.id()).orElse(null));
	}

}
