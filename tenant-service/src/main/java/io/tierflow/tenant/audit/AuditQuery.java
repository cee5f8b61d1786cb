package io.tierflow.tenant.audit;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Which records a listing wants; every field is optional.
 *
 * @param tenantId only this tenant's chain (the nil UUID: the platform's)
 * @param from at or after
 * @param to before
 * @param cursor only records older than this one (the previous page's {@code next})
 */
record AuditQuery(UUID tenantId, String action, String subject, OffsetDateTime from, OffsetDateTime to, UUID cursor) {
}
