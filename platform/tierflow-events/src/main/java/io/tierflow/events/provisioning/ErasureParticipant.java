package io.tierflow.events.provisioning;

import io.tierflow.events.DomainEvent;
import io.tierflow.events.tenant.TenantEraseRequested;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tenant-data service's part in offboarding: erases the tenant's data and answers
 * {@code tenant.erased} with a report on
 * {@link io.tierflow.events.Topics#TENANT_REPLIES}. Called on the consumer thread; it
 * must record the request before it returns (the record is acknowledged afterwards) and
 * must be safe to call again for the same tenant.
 */
public interface ErasureParticipant {

	void requested(DomainEvent event, TenantEraseRequested request);

	/** For a service without an eraser: the request is logged and left unanswered. */
	ErasureParticipant NONE = new ErasureParticipant() {

		private static final Logger log = LoggerFactory.getLogger(ErasureParticipant.class);

		@Override
		public void requested(DomainEvent event, TenantEraseRequested request) {
			log.warn("Erase of tenant {} ignored: this service has no eraser", request.tenantId());
		}

	};

}
