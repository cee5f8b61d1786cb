package io.tierflow.tenancy.placement;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * The tenant's data has moved away from the store a transaction was about to use (a tier
 * move's fence): the transaction manager routes it again, to the new placement. Seen by
 * callers only when the new placement could not be reached in time.
 */
public class TenantMovedException extends RuntimeException {

	private final long epoch;

	private final OffsetDateTime markedAt;

	public TenantMovedException(UUID tenantId, String store, long epoch, OffsetDateTime markedAt) {
		super("Tenant " + tenantId + " is moving away from " + store + " and its new placement is not reachable yet");
		this.epoch = epoch;
		this.markedAt = markedAt;
	}

	/** The epoch of the placement the transaction was routed with. */
	public long epoch() {
		return this.epoch;
	}

	/** When the fence mark that turned the transaction away was written. */
	public OffsetDateTime markedAt() {
		return this.markedAt;
	}

}
