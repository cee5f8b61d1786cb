package io.tierflow.events.provisioning;

import io.tierflow.events.DomainEvent;
import io.tierflow.events.tenant.TenantExportRequested;
import io.tierflow.events.tenant.TenantImportRequested;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tenant-data service's part in exports and imports: writes or loads its part of a
 * tenant archive and answers on {@link io.tierflow.events.Topics#TENANT_REPLIES}. Called
 * on the consumer thread; it must record the request before it returns and may do the
 * work later. A redelivered request starts nothing new.
 */
public interface ArchiveParticipant {

	void exportRequested(DomainEvent event, TenantExportRequested request);

	void importRequested(DomainEvent event, TenantImportRequested request);

	/** For a service without archives: requests are logged and left unanswered. */
	ArchiveParticipant NONE = new ArchiveParticipant() {

		private static final Logger log = LoggerFactory.getLogger(ArchiveParticipant.class);

		@Override
		public void exportRequested(DomainEvent event, TenantExportRequested request) {
			log.warn("Export {} of tenant {} ignored: this service has no archives", request.exportId(),
					request.tenantId());
		}

		@Override
		public void importRequested(DomainEvent event, TenantImportRequested request) {
			log.warn("Import {} of tenant {} ignored: this service has no archives", request.importId(),
					request.tenantId());
		}

	};

}
