package io.tierflow.mover;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.UUID;

/**
 * A service's own part of a tenant archive beyond the rows of its stores, which the
 * {@link TenantArchiver} writes and loads itself: file-service's blobs.
 */
public interface ArchiveStep {

	/**
	 * The prefix of this step's entries ({@code blobs}): entries are
	 * {@code <prefix>/<name>}.
	 */
	String prefix();

	/** Writes the tenant's entries; the tenant is bound while it runs. */
	void write(UUID tenant, Entries out) throws IOException;

	/**
	 * Loads entries into the tenant (bound while it runs), each checked against its
	 * SHA-256 while read.
	 * @param names the names of this step's entries, without the prefix
	 */
	void read(UUID tenant, List<String> names, Source in) throws IOException;

	/** Removes what {@link #read} loaded, when the import is refused after it. */
	void discard(UUID tenant) throws IOException;

	/** Where a step writes its entries. */
	interface Entries {

		/** Adds entry {@code <prefix>/<name>} with the stream's bytes. */
		void add(String name, InputStream content) throws IOException;

	}

	/** Where a step reads its entries from. */
	interface Source {

		/**
		 * The entry's bytes; reading to the end throws if they differ from the manifest's
		 * SHA-256.
		 */
		InputStream open(String name) throws IOException;

	}

}
