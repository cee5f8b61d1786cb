package io.tierflow.tenant.audit;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import tools.jackson.databind.json.JsonMapper;

/**
 * The audit trail's hash chain: a record's hash is SHA-256 over the previous record's
 * hash in the same chain (32 zero bytes for the first) followed by the record's canonical
 * content, the UTF-8 JSON array
 * {@code ["tierflow.audit.v1", id, chain, seq, tenant, occurredAt, action, targetType,
 * targetId, subject, actorTenant, clientId, outcome, status, requestId]} (ids as
 * lower-case strings, the time as ISO-8601 UTC with at most microseconds, absent values
 * {@code null}). Anyone can recompute it from the served records.
 */
final class ChainHash {

	/** The chain of platform actions, which concern no tenant. */
	static final UUID PLATFORM = new UUID(0, 0);

	static final byte[] GENESIS = new byte[32];

	static final HexFormat HEX = HexFormat.of();

	/** Its own mapper: the canonical form must not follow the application's settings. */
	private static final JsonMapper JSON = JsonMapper.builder().build();

	private ChainHash() {
	}

	static UUID chainOf(UUID tenantId) {
		return (tenantId != null) ? tenantId : PLATFORM;
	}

	static byte[] canonical(AuditRecord r) {
		List<Object> fields = Arrays.asList("tierflow.audit.v1", r.id().toString(), r.chainId().toString(), r.seq(),
				string(r.tenantId()), r.occurredAt().toInstant().toString(), r.action(), r.target().type(),
				r.target().id(), r.actor().subject(), string(r.actor().tenantId()), r.actor().clientId(),
				r.outcome().name(), r.status(), r.requestId());
		return JSON.writeValueAsBytes(fields);
	}

	/**
	 * The record's hash after {@code previous}; the record's own hash fields are ignored.
	 */
	static byte[] hash(byte[] previous, AuditRecord r) {
		try {
			MessageDigest sha = MessageDigest.getInstance("SHA-256");
			sha.update(previous);
			sha.update(canonical(r));
			return sha.digest();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("Every Java platform has SHA-256", ex);
		}
	}

	private static String string(UUID id) {
		return (id != null) ? id.toString() : null;
	}

}
