package io.tierflow.file.storage;

import io.tierflow.tenancy.placement.Tier;

/**
 * An upload would take the tenant past its tier's storage quota: 413, nothing stored.
 *
 * @see FileStorageProperties.Quota
 */
class StorageQuotaExceededException extends RuntimeException {

	private final Tier tier;

	private final long used;

	private final long reserved;

	private final long limit;

	/**
	 * @param used bytes stored
	 * @param reserved bytes reserved by the tenant's other uploads in flight
	 * @param limit the quota
	 */
	StorageQuotaExceededException(Tier tier, long used, long reserved, long limit) {
		super("The file does not fit in the " + tier + " storage quota: " + used + " of " + limit + " bytes are used"
				+ ((reserved > 0) ? ", " + reserved + " more are reserved by uploads in progress" : ""));
		this.tier = tier;
		this.used = used;
		this.reserved = reserved;
		this.limit = limit;
	}

	Tier tier() {
		return this.tier;
	}

	long used() {
		return this.used;
	}

	long reserved() {
		return this.reserved;
	}

	long limit() {
		return this.limit;
	}

}
