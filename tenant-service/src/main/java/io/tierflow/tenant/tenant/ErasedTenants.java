package io.tierflow.tenant.tenant;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierflow.events.DomainEvent;
import io.tierflow.events.ErasedTenantEvents;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Drops the events that arrive for a tenant whose erase has started (ERASING or ERASED):
 * counted as {@code tierflow.events.dropped} (reason {@code tenant_erased}) and logged,
 * never applied, never recorded in the inbox, so nothing of the tenant is created again.
 * <p>
 * The check runs in the transaction that would apply the event and share-locks the
 * tenant's row until it ends: an erase that completes meanwhile waits for it (and then
 * removes what it wrote), or has committed before (and the event is dropped). It is not
 * registered as the platform's {@link ErasedTenantEvents} bean on purpose: that one would
 * check every record once more, outside of any transaction.
 */
@Component
public class ErasedTenants {

	private final ErasedTenantEvents events;

	ErasedTenants(TenantRepository tenants, ObjectProvider<MeterRegistry> meters) {
		this.events = new ErasedTenantEvents(
				(tenant) -> tenants.statusForShare(tenant).map(TenantStatus::isErasing).orElse(false),
				meters.getIfAvailable());
	}

	/**
	 * Whether the event must be dropped, counting it if so. Must run inside the
	 * transaction that applies the event, before anything is written.
	 */
	public boolean drop(DomainEvent event) {
		if (!TransactionSynchronizationManager.isActualTransactionActive()) {
			throw new IllegalStateException(
					"ErasedTenants.drop must run inside the transaction that applies the event");
		}
		return this.events.drop(event.tenantId(), event.type() + " " + event.id());
	}

}
