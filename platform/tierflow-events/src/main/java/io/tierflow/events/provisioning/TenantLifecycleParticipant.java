package io.tierflow.events.provisioning;

import java.util.function.Consumer;

import io.tierflow.events.DomainEvent;
import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.inbox.EventInbox;
import io.tierflow.events.outbox.Outbox;
import io.tierflow.events.tenant.TenantCreated;
import io.tierflow.events.tenant.TenantEraseRequested;
import io.tierflow.events.tenant.TenantExportRequested;
import io.tierflow.events.tenant.TenantImportRequested;
import io.tierflow.events.tenant.TenantProvisioned;
import io.tierflow.events.tenant.TierChangeRequested;
import io.tierflow.tenancy.placement.NoPlacementAvailableException;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.TenantErasedException;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.routing.PlacementDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.messaging.Message;

/**
 * A tenant-data service's part in the tenant lifecycle sagas: provisions a placement on
 * tenant.created and replies tenant.provisioned (READY or FAILED, with the reason), and
 * follows suspension (a deletion suspends too); hands tier change requests to the
 * {@link TierChangeParticipant} and erase requests to the {@link ErasureParticipant}. The
 * reply is written to the control outbox in the transaction that records the placement's
 * state, so a redelivered tenant.created never yields a second placement or reply. Bound
 * as the Spring Cloud Stream function {@code tenantLifecycle}.
 */
public class TenantLifecycleParticipant implements Consumer<Message<byte[]>> {

	private static final Logger log = LoggerFactory.getLogger(TenantLifecycleParticipant.class);

	private final String service;

	private final TenantProvisioner provisioner;

	private final PlacementRepository placements;

	private final PlacementDirectory directory;

	private final EventInbox controlInbox;

	private final Outbox controlOutbox;

	private final JsonMapper json;

	private final TierChangeParticipant tierChanges;

	private final ErasureParticipant erasures;

	private final ArchiveParticipant archives;

	public TenantLifecycleParticipant(String service, TenantProvisioner provisioner, PlacementRepository placements,
			PlacementDirectory directory, EventInbox controlInbox, Outbox controlOutbox, JsonMapper json,
			TierChangeParticipant tierChanges, ErasureParticipant erasures, ArchiveParticipant archives) {
		this.tierChanges = tierChanges;
		this.erasures = erasures;
		this.archives = archives;
		this.service = service;
		this.provisioner = provisioner;
		this.placements = placements;
		this.directory = directory;
		this.controlInbox = controlInbox;
		this.controlOutbox = controlOutbox;
		this.json = json;
	}

	@Override
	public void accept(Message<byte[]> message) {
		DomainEvent event = DomainEvent.from(message);
		switch (event.type()) {
			case EventTypes.TENANT_CREATED -> created(event);
			case EventTypes.TENANT_SUSPENDED, EventTypes.TENANT_DELETED -> suspended(event, true);
			case EventTypes.TENANT_REACTIVATED -> suspended(event, false);
			case EventTypes.TENANT_TIER_CHANGE_REQUESTED, EventTypes.TENANT_TIER_CHANGE_ROLLBACK_REQUESTED ->
				this.tierChanges.requested(event, event.data(this.json, TierChangeRequested.class));
			case EventTypes.TENANT_ERASE_REQUESTED ->
				this.erasures.requested(event, event.data(this.json, TenantEraseRequested.class));
			case EventTypes.TENANT_EXPORT_REQUESTED ->
				this.archives.exportRequested(event, event.data(this.json, TenantExportRequested.class));
			case EventTypes.TENANT_IMPORT_REQUESTED ->
				this.archives.importRequested(event, event.data(this.json, TenantImportRequested.class));
			default -> log.debug("Ignoring {} for tenant {}", event.type(), event.tenantId());
		}
	}

	private void created(DomainEvent event) {
		TenantCreated created = event.data(this.json, TenantCreated.class);
		try {
			this.provisioner.provision(created.tenantId(), created.tier(), created.region());
		}
		catch (TenantErasedException ex) {
			// A late or replayed tenant.created: the tenant is gone and stays gone.
			log.info("tenant.created {} dropped: tenant {} is erased here", event.id(), created.tenantId());
		}
		catch (NoPlacementAvailableException ex) {
			// Nothing was placed: answer FAILED once, with the reason, so the saga can
			// report it.
			this.controlInbox.handleOnce(this.service + ".provisioning", event,
					() -> this.controlOutbox.append(Topics.TENANT_REPLIES, EventTypes.TENANT_PROVISIONED,
							created.tenantId(), this.service,
							new TenantProvisioned(created.tenantId(), this.service, TenantProvisioned.FAILED,
									created.tier(), null, null, null, null, 0, ex.getMessage())));
		}
	}

	private void suspended(DomainEvent event, boolean suspended) {
		this.controlInbox.handleOnce(this.service + ".lifecycle", event,
				() -> this.placements.setSuspended(event.tenantId(), suspended));
		this.directory.evict(event.tenantId());
	}

}
