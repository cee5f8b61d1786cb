package io.tierflow.file.storage;

/**
 * The tenant already has as many uploads in flight as it may: 429 with
 * {@code Retry-After}, the body unread.
 *
 * @see FileStorageProperties#maxConcurrentUploadsPerTenant()
 */
class TooManyUploadsException extends RuntimeException {

	private final int limit;

	TooManyUploadsException(int limit) {
		super("At most " + limit + " uploads of a tenant may be in flight at a time; retry when one has finished");
		this.limit = limit;
	}

	int limit() {
		return this.limit;
	}

}
