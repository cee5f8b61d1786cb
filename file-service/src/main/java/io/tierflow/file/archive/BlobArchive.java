package io.tierflow.file.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.tierflow.file.blob.BlobStore;
import io.tierflow.mover.ArchiveStep;
import io.tierflow.tenancy.context.TenantContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * The file-service's part of a tenant archive beyond its rows: the bytes of the tenant's
 * files, one entry {@code blobs/<file id>} each, beside the {@code file} rows that carry
 * their names, sizes and SHA-256s. File ids are kept by an import, so each row finds its
 * blob under the new tenant.
 *
 * <p>
 * An archive is untrusted input: an entry's name becomes a file name in the blob store
 * only as a canonical UUID, and every name is checked before the first blob is written. A
 * blob is in place only once its bytes matched the manifest's SHA-256 to the last one
 * ({@link BlobStore#put} reads the entry to its end, where the check throws, and removes
 * its partial write).
 */
@Component
class BlobArchive implements ArchiveStep {

	static final String PREFIX = "blobs";

	private static final Logger log = LoggerFactory.getLogger(BlobArchive.class);

	private final BlobStore blobs;

	BlobArchive(BlobStore blobs) {
		this.blobs = blobs;
	}

	@Override
	public String prefix() {
		return PREFIX;
	}

	@Override
	public void write(UUID tenant, Entries out) throws IOException {
		requireBound(tenant);
		int written = 0;
		for (UUID id : this.blobs.blobs()) {
			InputStream content;
			try {
				content = this.blobs.open(id);
			}
			catch (NoSuchFileException ex) {
				// Deleted since it was listed (its file deleted, or its upload refused):
				// nothing to keep.
				continue;
			}
			try (content) {
				out.add(id.toString(), content);
			}
			written++;
		}
		log.info("Tenant {}: {} blobs written to its archive", tenant, written);
	}

	@Override
	public void read(UUID tenant, List<String> names, Source in) throws IOException {
		requireBound(tenant);
		Set<UUID> ids = fileIds(names);
		for (UUID id : ids) {
			try (InputStream content = in.open(id.toString())) {
				this.blobs.put(id, content);
			}
		}
		log.info("Tenant {}: {} blobs loaded from an archive", tenant, ids.size());
	}

	@Override
	public void discard(UUID tenant) throws IOException {
		requireBound(tenant);
		this.blobs.deleteAll();
	}

	/**
	 * The entries' names as file ids, all checked before any is used.
	 * @throws IOException if a name is not a canonical UUID or appears twice
	 */
	private static Set<UUID> fileIds(List<String> names) throws IOException {
		Set<UUID> ids = new LinkedHashSet<>();
		for (String name : names) {
			UUID id = fileId(name);
			if (!ids.add(id)) {
				throw new IOException("Entry " + PREFIX + "/" + name + " appears twice in the archive");
			}
		}
		return ids;
	}

	private static UUID fileId(String name) throws IOException {
		try {
			UUID id = UUID.fromString(name);
			// Only canonical names: UUID.fromString accepts variants such as "1-1-1-1-1",
			// and the blob store names a blob by the canonical form.
			if (id.toString().equals(name)) {
				return id;
			}
		}
		catch (IllegalArgumentException ex) {
			// not a UUID at all: refused below
		}
		throw new IOException("Entry " + PREFIX + "/" + shown(name) + " is not named by a file id");
	}

	/** An untrusted name as it may appear in a message: bounded. */
	private static String shown(String name) {
		return (name.length() <= 80) ? name : name.substring(0, 80) + "...";
	}

	/**
	 * The blob store keys by the bound tenant, not by a parameter: they must be the same,
	 * or one tenant's blobs would be read or written as another's.
	 */
	private static void requireBound(UUID tenant) {
		UUID bound = TenantContext.require();
		if (!bound.equals(tenant)) {
			throw new IllegalStateException("Blobs of tenant " + tenant + " asked for while " + bound + " is bound");
		}
	}

}
