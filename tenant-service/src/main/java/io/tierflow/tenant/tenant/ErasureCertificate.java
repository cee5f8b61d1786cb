package io.tierflow.tenant.tenant;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

/**
 * What was erased of a tenant, and where: tenant-service's own part and every tenant-data
 * service's report, as the system admin reads it.
 *
 * @param tenantService tenant-service's own part, once the tenant is ERASED; null before
 * @param services each tenant-data service's erase, in the order of their names
 */
public record ErasureCertificate(UUID tenantId, TenantStatus status, OffsetDateTime deleteRequestedAt,
		OffsetDateTime eraseAfter, OffsetDateTime erasedAt, OwnErasure tenantService, List<ServiceErasure> services) {

	/**
	 * tenant-service's part of the erase.
	 *
	 * @param rowsDeleted the tenant's rows per table: users, notifications, tier changes,
	 * exports and imports, inbox and outbox
	 * @param kept the tombstone's rows per table
	 */
	public record OwnErasure(Map<String, Long> rowsDeleted, Map<String, Long> kept) {
	}

	/**
	 * One service's erase.
	 *
	 * @param state ERASING until the service answered, then ERASED
	 * @param report the service's report as it sent it (the data of
	 * {@code tierflow.tenant.erased.v1}), or null before it answered
	 */
	public record ServiceErasure(String service, String state, JsonNode report, OffsetDateTime erasedAt) {
	}

}
