package io.tierflow.events.audit;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Data of {@code tierflow.audit.recorded.v1} on {@code tierflow.audit}: one record of
 * tenant-service's audit trail, as stored. A copy outside the database: a consumer that
 * keeps the hashes can tell later whether the stored chain was rewritten.
 *
 * @param tenantId the tenant the action concerns; null for a platform action
 * @param seq the record's position in its chain (the tenant's, or the platform's), from 1
 * @param action what was done, {@code <resource>.<verb>} ({@code tenant.suspend})
 * @param targetId the target's id; null when the action was refused before it had one
 * @param subject the token's {@code sub}: an id, never a name or an e-mail address
 * @param actorTenantId the tenant of the token; null for platform operators and the
 * service itself
 * @param clientId the OAuth client the token was issued to, if it names one
 * @param outcome {@code SUCCEEDED}, {@code REFUSED} (4xx) or {@code FAILED} (5xx)
 * @param status the problem's HTTP status; null when the action succeeded
 * @param requestId the request's {@code X-Request-Id}; null for actions of the service
 * itself
 * @param hash hex SHA-256 over the previous record's hash and this record's canonical
 * content
 */
public record AuditRecorded(UUID id, UUID tenantId, long seq, OffsetDateTime occurredAt, String action,
		String targetType, String targetId, String subject, UUID actorTenantId, String clientId, String outcome,
		Integer status, String requestId, String hash) {
}
