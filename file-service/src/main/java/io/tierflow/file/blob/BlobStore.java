package io.tierflow.file.blob;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The bytes of the current tenant's files, keyed by file id. The tenant is always the one
 * bound to the thread ({@link io.tierflow.tenancy.context.TenantContext}), never a value
 * from a request, so one tenant's blob can never be written or read under another's key.
 * A blob is present whole or not at all: {@link #put} makes it visible in one atomic
 * step, after every byte is on disk.
 */
public interface BlobStore {

	/**
	 * Stores the stream's bytes as blob {@code id} of the current tenant, reading the
	 * stream to its end. Nothing is left behind when reading or writing fails: the
	 * exception is rethrown unchanged after the partial write is removed.
	 * @return the number of bytes stored
	 */
	long put(UUID id, InputStream content) throws IOException;

	/**
	 * Opens blob {@code id} of the current tenant for reading.
	 * @throws java.nio.file.NoSuchFileException when there is no such blob
	 */
	InputStream open(UUID id) throws IOException;

	/** Whether the current tenant has blob {@code id}. */
	boolean exists(UUID id);

	/** Removes blob {@code id} of the current tenant; a missing blob is no error. */
	void delete(UUID id) throws IOException;

	/**
	 * The current tenant's blobs, in id order; unfinished writes are not blobs and are
	 * left out.
	 */
	List<UUID> blobs() throws IOException;

	/** Tenants that have blobs (or unfinished writes) in this store. */
	List<UUID> tenants() throws IOException;

	/**
	 * Blobs of the current tenant last written before {@code cutoff}: candidates of an
	 * orphan sweep.
	 */
	List<UUID> blobsWrittenBefore(Instant cutoff) throws IOException;

	/**
	 * Removes the current tenant's unfinished writes last touched before {@code cutoff}
	 * (left by a crash in the middle of {@link #put}).
	 * @return how many were removed
	 */
	int deleteUnfinishedWritesBefore(Instant cutoff) throws IOException;

	/**
	 * How many blobs the current tenant has and how many bytes they hold, unfinished
	 * writes included: what {@link #deleteAll} would remove now.
	 */
	BlobUsage measure() throws IOException;

	/**
	 * Removes every blob of the current tenant, unfinished writes included, and the place
	 * that held them (an erase). Safe to repeat: a tenant with nothing here is no error.
	 * @return what was removed by this call
	 */
	BlobUsage deleteAll() throws IOException;

}
