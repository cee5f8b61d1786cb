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

	private final long limit;

	StorageQuotaExceededException(Tier tier, long used, long limit) {
		super("The file does not fit in the " + tier + " storage quota: " + used + " of " + limit + " bytes are used");
		this.tier = tier;
		this.used = used;
		this.limit = limit;
	}

	Tier tier() {
		return this.tier;
	}

	long used() {
		return this.used;
	}

	long limit() {
		return this.limit;
	}

}
