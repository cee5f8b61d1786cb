package io.tierflow.tenant.tenant;

import java.util.Set;
import java.util.function.Consumer;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierflow.events.DomainEvent;
import io.tierflow.events.EventTypes;
import io.tierflow.events.ForeignTenantEvents;
import io.tierflow.events.inbox.EventInbox;
import io.tierflow.events.tenant.TenantProvisioned;
import io.tierflow.tenant.tenant.Tenant.ServicePlacement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Collects tenant.provisioned replies: records each service's placement and marks the
 * tenant ACTIVE once every required service placed it, or FAILED with the first reason a
 * service gave. Only a PROVISIONING tenant changes status so: an IMPORTING one turns
 * ACTIVE once every service has loaded and verified its part, which the import's own
 * replies tell. Bound as the Spring Cloud Stream function {@code provisioningReplies},
 * the one consumer of the replies topic: move_progress and migrated replies go on to the
 * {@link TierChangeSaga}, erased replies to the {@link ErasureSaga}, export and import
 * replies to the {@link TenantArchives}. Each reply is applied once; a reply other than
 * erased for a tenant whose erase has started is dropped before it reaches the inbox. A
 * reply whose data names another tenant than its record is refused before any saga sees
 * it ({@link ForeignTenantEvents}) and goes to the dead-letter topic.
 */
@Component("provisioningReplies")
class ProvisioningSaga implements Consumer<Message<byte[]>> {

	static final String CONSUMER = "tenant-service.provisioning";

	static final String BINDING = "provisioningReplies-in-0";

	/** The replies a saga applies; the others pass by. */
	private static final Set<String> REPLIES = Set.of(EventTypes.TENANT_PROVISIONED, EventTypes.TENANT_ERASED,
			EventTypes.TENANT_MOVE_PROGRESS, EventTypes.TENANT_MIGRATED, EventTypes.TENANT_EXPORT_PROGRESS,
			EventTypes.TENANT_EXPORTED, EventTypes.TENANT_IMPORTED);

	private static final Logger log = LoggerFactory.getLogger(ProvisioningSaga.class);

	private final TenantRepository tenants;

	private final EventInbox inbox;

	private final SagaProperties saga;

	private final JsonMapper json;

	private final TierChangeSaga tierChanges;

	private final ErasureSaga erasures;

	private final ErasedTenants erased;

	private final TenantArchives archives;

	private final TransactionTemplate tx;

	private final ForeignTenantEvents foreign;

	ProvisioningSaga(TenantRepository tenants, EventInbox inbox, SagaProperties saga, JsonMapper json,
			TierChangeSaga tierChanges, ErasureSaga erasures, ErasedTenants erased, TenantArchives archives,
			PlatformTransactionManager transactions, ObjectProvider<MeterRegistry> meters) {
		this.tenants = tenants;
		this.inbox = inbox;
		this.saga = saga;
		this.json = json;
		this.tierChanges = tierChanges;
		this.erasures = erasures;
		this.erased = erased;
		this.archives = archives;
		this.tx = new TransactionTemplate(transactions);
		this.foreign = new ForeignTenantEvents(CONSUMER, BINDING, meters.getIfAvailable());
	}

	@Override
	public void accept(Message<byte[]> message) {
		DomainEvent event = DomainEvent.from(message);
		if (REPLIES.contains(event.type())) {
			// Checked here, once for every saga: each reads the tenant from the data it
			// is handed. The data is parsed once more for it; replies are a few per
			// tenant and change.
			this.foreign.requireOwnTenant(event, this.json);
		}
		if (EventTypes.TENANT_ERASED.equals(event.type())) {
			this.erasures.accept(event);
			return;
		}
		// The inbox joins this transaction, so a dropped reply leaves no inbox row
		// behind.
		this.tx.executeWithoutResult((status) -> {
			if (this.erased.drop(event)) {
				this.archives.dropped(event);
				return;
			}
			switch (event.type()) {
				case EventTypes.TENANT_PROVISIONED -> provisioned(event);
				case EventTypes.TENANT_MOVE_PROGRESS, EventTypes.TENANT_MIGRATED -> this.tierChanges.accept(event);
				case EventTypes.TENANT_EXPORT_PROGRESS, EventTypes.TENANT_EXPORTED, EventTypes.TENANT_IMPORTED ->
					this.archives.reply(event);
				default -> log.debug("Ignoring {} for tenant {}", event.type(), event.tenantId());
			}
		});
	}

	private void provisioned(DomainEvent event) {
		TenantProvisioned reply = event.data(this.json, TenantProvisioned.class);
		this.inbox.handleOnce(CONSUMER, event, () -> apply(reply));
	}

	private void apply(TenantProvisioned reply) {
		TenantRepository.Row tenant = this.tenants.findForUpdate(reply.tenantId()).orElse(null);
		if (tenant == null) {
			log.warn("Reply from {} for unknown tenant {}", reply.service(), reply.tenantId());
			return;
		}
		this.tenants.recordPlacement(reply.tenantId(),
				new ServicePlacement(reply.service(), reply.status(), reply.tier(),
						(reply.isolation() != null) ? reply.isolation().name() : null, reply.cluster(),
						reply.database(), reply.schema(), reply.epoch(), reply.reason(), null));
		if (tenant.status() != TenantStatus.PROVISIONING) {
			return;
		}
		if (TenantProvisioned.FAILED.equals(reply.status())) {
			this.tenants.updateStatus(reply.tenantId(), TenantStatus.FAILED, reply.service() + ": " + reply.reason());
			return;
		}
		if (this.tenants.readyInAll(reply.tenantId(), this.saga.services())) {
			this.tenants.updateStatus(reply.tenantId(), TenantStatus.ACTIVE, null);
			log.info("Tenant {} is ACTIVE: placed in {}", reply.tenantId(), this.saga.services());
		}
	}

}
