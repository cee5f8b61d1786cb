package io.tierflow.mover;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Where tenant archives are kept: one directory per archive, one file per service's part
 * ({@code <root>/<archive id>/<service>.zip}). A part appears whole or not at all: it is
 * written beside its place and moved there in one step. A directory on a disk every
 * instance shares for now; the S3 API takes its place with the cluster topology.
 */
public class ArchiveStore {

	private static final String PART = ".part";

	private final Path root;

	public ArchiveStore(Path root) {
		try {
			this.root = Files.createDirectories(root.toAbsolutePath().normalize());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot create the archive directory " + root, ex);
		}
	}

	public Path root() {
		return this.root;
	}

	/** The directory of one archive. */
	public Path archive(UUID archiveId) {
		return this.root.resolve(archiveId.toString());
	}

	/** One service's part of an archive (which may not exist). */
	public Path part(UUID archiveId, String service) {
		if (!service.matches("[a-z][a-z0-9-]{0,62}")) {
			throw new IllegalArgumentException("Not a service name: " + service);
		}
		return archive(archiveId).resolve(service + ".zip");
	}

	/** A new file to write a part into; {@link #publish} puts it in place. */
	Path temporary(UUID archiveId, String service) throws IOException {
		Path dir = Files.createDirectories(archive(archiveId));
		return Files.createTempFile(dir, service + ".", PART);
	}

	void publish(Path temporary, UUID archiveId, String service) throws IOException {
		try {
			Files.move(temporary, part(archiveId, service), StandardCopyOption.ATOMIC_MOVE,
					StandardCopyOption.REPLACE_EXISTING);
		}
		catch (IOException ex) {
			Files.deleteIfExists(temporary);
			throw ex;
		}
	}

}
