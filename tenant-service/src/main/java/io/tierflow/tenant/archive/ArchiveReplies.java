package io.tierflow.tenant.archive;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.tierflow.events.DomainEvent;
import io.tierflow.events.EventTypes;
import io.tierflow.events.MalformedEventException;
import io.tierflow.events.tenant.TenantExportProgress;
import io.tierflow.events.tenant.TenantExported;
import io.tierflow.events.tenant.TenantImported;
import io.tierflow.tenant.tenant.TenantArchives;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * The tenant lifecycle's way into exports and imports: the services' export and import
 * replies, checked for their identity and handed on, and the removal of both when a
 * tenant is erased.
 */
@Component
class ArchiveReplies implements TenantArchives {

	private static final Logger log = LoggerFactory.getLogger(ArchiveReplies.class);

	private final TenantExports exports;

	private final TenantImports imports;

	private final JsonMapper json;

	ArchiveReplies(TenantExports exports, TenantImports imports, JsonMapper json) {
		this.exports = exports;
		this.imports = imports;
		this.json = json;
	}

	@Override
	public void reply(DomainEvent event) {
		switch (event.type()) {
			case EventTypes.TENANT_EXPORT_PROGRESS -> {
				TenantExportProgress progress = event.data(this.json, TenantExportProgress.class);
				requireIdentity(event, progress.tenantId(), progress.exportId(), progress.service());
				this.exports.progressed(progress);
			}
			case EventTypes.TENANT_EXPORTED -> {
				TenantExported exported = event.data(this.json, TenantExported.class);
				requireIdentity(event, exported.tenantId(), exported.exportId(), exported.service());
				this.exports.exported(exported);
			}
			case EventTypes.TENANT_IMPORTED -> {
				TenantImported imported = event.data(this.json, TenantImported.class);
				requireIdentity(event, imported.tenantId(), imported.importId(), imported.service());
				this.imports.imported(imported);
			}
			default -> log.debug("Ignoring {} for tenant {}", event.type(), event.tenantId());
		}
	}

	@Override
	public void dropped(DomainEvent event) {
		if (!EventTypes.TENANT_EXPORTED.equals(event.type())) {
			return;
		}
		TenantExported exported;
		try {
			exported = event.data(this.json, TenantExported.class);
			requireIdentity(event, exported.tenantId(), exported.exportId(), exported.service());
		}
		catch (MalformedEventException ex) {
			// Dropped anyway; an unreadable reply names no part to remove.
			log.debug("Dropped reply {} is unreadable: {}", event.id(), ex.getMessage());
			return;
		}
		if (exported.succeeded()) {
			this.exports.discardLatePart(exported);
		}
	}

	@Override
	public Map<String, Long> erase(UUID tenantId) {
		Map<String, Long> deleted = new LinkedHashMap<>(this.exports.erase(tenantId));
		deleted.putAll(this.imports.erase(tenantId));
		return deleted;
	}

	private static void requireIdentity(DomainEvent event, UUID tenantId, UUID job, String service) {
		if (tenantId == null || job == null || service == null || service.isBlank()) {
			throw new MalformedEventException(
					"Reply " + event.id() + " lacks its tenant, job or service: " + event.dataAsString());
		}
		if (!tenantId.equals(event.tenantId())) {
			throw new MalformedEventException(
					"Reply " + event.id() + " is about tenant " + tenantId + " but keyed to " + event.tenantId());
		}
	}

}
