package io.tierflow.tenant.tenant;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.tierflow.events.DomainEvent;
import io.tierflow.events.MalformedEventException;
import io.tierflow.events.tenant.TenantErased;
import io.tierflow.tenant.audit.AuditTrail;
import io.tierflow.tenant.tenant.ErasureCertificate.OwnErasure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Collects the tenant-data services' tenant.erased reports. Each service's report is
 * recorded with its placement; once every service has erased the tenant, its own rows in
 * tenant-service go too (users, notifications, tier changes, exports and imports with
 * their archives, inbox and outbox), and its row becomes the tombstone: ERASED, name and
 * slug scrubbed, with tenant-service's own counts.
 * <p>
 * The tenant's audit records stay, and are counted as kept: they are records of what was
 * done, kept like invoices, append-only and chained, and hold ids only (the tenant's, its
 * users' and operators' subject ids), no name or e-mail address, which go with the
 * tenant's rows.
 * <p>
 * Replies are not recorded in the inbox, since the tenant's inbox rows must be gone after
 * the erase. A service may answer more than once, always with the same report: the first
 * is kept, and the tenant's row lock orders the replies, so a repeated report changes
 * nothing.
 */
@Component
class ErasureSaga {

	private static final Logger log = LoggerFactory.getLogger(ErasureSaga.class);

	private final TenantRepository tenants;

	private final OffboardingRepository offboarding;

	private final SagaProperties saga;

	private final TenantArchives archives;

	private final JsonMapper json;

	private final AuditTrail audit;

	private final TransactionTemplate tx;

	ErasureSaga(TenantRepository tenants, OffboardingRepository offboarding, SagaProperties saga,
			TenantArchives archives, JsonMapper json, AuditTrail audit, PlatformTransactionManager transactions) {
		this.tenants = tenants;
		this.offboarding = offboarding;
		this.saga = saga;
		this.archives = archives;
		this.json = json;
		this.audit = audit;
		this.tx = new TransactionTemplate(transactions);
	}

	/** Applies a tenant.erased reply. */
	void accept(DomainEvent event) {
		TenantErased report = event.data(this.json, TenantErased.class);
		if (report.tenantId() == null || report.service() == null || report.service().isBlank()) {
			throw new MalformedEventException(
					"Reply " + event.id() + " lacks its tenant or service: " + event.dataAsString());
		}
		if (!report.tenantId().equals(event.tenantId())) {
			throw new MalformedEventException("Reply " + event.id() + " is about tenant " + report.tenantId()
					+ " but keyed to " + event.tenantId());
		}
		this.tx.executeWithoutResult((status) -> erased(event, report));
	}

	private void erased(DomainEvent event, TenantErased report) {
		UUID id = report.tenantId();
		TenantRepository.Row tenant = this.tenants.findForUpdate(id).orElse(null);
		if (tenant == null) {
			log.warn("Erase report from {} for unknown tenant {}", report.service(), id);
			return;
		}
		if (tenant.status() == TenantStatus.ERASED) {
			log.debug("Erase report from {} for tenant {} ignored: the tenant is erased already", report.service(), id);
			return;
		}
		if (tenant.status() != TenantStatus.ERASING) {
			log.warn("Erase report from {} for tenant {} ignored: no erase was requested, the tenant is {}",
					report.service(), id, tenant.status());
			return;
		}
		if (!this.saga.services().contains(report.service())) {
			log.warn("Erase report from {} for tenant {} ignored: {} takes no part in the erase", report.service(), id,
					report.service());
			return;
		}
		OffsetDateTime erasedAt = (report.erasedAt() != null) ? report.erasedAt()
				: (event.time() != null) ? event.time() : OffsetDateTime.now();
		if (this.offboarding.recordServiceErased(id, report.service(), event.dataAsString(), erasedAt)) {
			log.info("Tenant {} erased in {}: rows {}, store dropped {}", id, report.service(), report.rowsDeleted(),
					report.storeDropped());
		}
		if (this.offboarding.erasedServices(id).containsAll(this.saga.services())) {
			Map<String, Long> deleted = new LinkedHashMap<>(this.archives.erase(id));
			deleted.putAll(this.offboarding.deleteOwnRows(id));
			Map<String, Long> kept = new LinkedHashMap<>(this.offboarding.kept(id));
			kept.put("audit_record", this.audit.recordsOf(id));
			this.offboarding.tombstone(id, new OwnErasure(deleted, kept));
			log.info("Tenant {} is ERASED in every service; removed in tenant-service: {}", id, deleted);
		}
	}

}
