package io.tierflow.events.provisioning;

import io.tierflow.events.DomainEvent;
import io.tierflow.events.tenant.TierChangeRequested;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tenant-data service's part in tier changes: moves the tenant's data and answers
 * progress and the result on {@link io.tierflow.events.Topics#TENANT_REPLIES}. The tenant
 * mover implements it; called on the consumer thread, it must record the request before
 * it returns (the record is acknowledged afterwards) and may do the move later.
 */
public interface TierChangeParticipant {

	void requested(DomainEvent event, TierChangeRequested request);

	/** For a service without a mover: the request is logged and left unanswered. */
	TierChangeParticipant NONE = new TierChangeParticipant() {

		private static final Logger log = LoggerFactory.getLogger(TierChangeParticipant.class);

		@Override
		public void requested(DomainEvent event, TierChangeRequested request) {
			log.warn("Tier change {} of tenant {} ignored: this service has no tenant mover", request.changeId(),
					request.tenantId());
		}

	};

}
