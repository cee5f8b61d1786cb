package io.tierflow.tenant.audit;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One record of the audit trail, as stored and served.
 *
 * @param tenantId the tenant the action concerns, whose chain holds the record; null for
 * a platform action (the platform's chain)
 * @param seq the record's position in its chain, from 1
 * @param status the problem's HTTP status; null when the action succeeded
 * @param requestId the request's {@code X-Request-Id}; null for the service's own actions
 * @param previousHash hex hash of the chain's record before (64 zeros for the first)
 * @param hash hex SHA-256 over the previous hash and this record's canonical content
 * ({@link ChainHash})
 */
record AuditRecord(UUID id, UUID tenantId, long seq, OffsetDateTime occurredAt, String action, AuditTarget target,
		Actor actor, Outcome outcome, Integer status, String requestId, String previousHash, String hash) {

	/** The chain the record belongs to. */
	UUID chainId() {
		return ChainHash.chainOf(this.tenantId);
	}

}
