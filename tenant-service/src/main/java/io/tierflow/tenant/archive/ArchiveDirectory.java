package io.tierflow.tenant.archive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory of tenant archives that tenant-service shares with the tenant-data
 * services: one directory per archive, one file per service's part
 * ({@code <root>/<archive id>/<service>.zip}, as the services' archive store lays it
 * out). An export's archive id is the export's id. Uploaded archives are received and
 * checked under {@code <root>/imports}, and only their checked parts move to an archive
 * directory of their own.
 */
class ArchiveDirectory {

	private static final Logger log = LoggerFactory.getLogger(ArchiveDirectory.class);

	private final Path root;

	private final Path imports;

	/**
	 * An upload is received and checked within one request: anything older in the import
	 * area was left by an instance that stopped in the middle of one. Every instance
	 * shares the area, so only what is this old is removed.
	 */
	static final Duration ABANDONED = Duration.ofDays(1);

	ArchiveDirectory(Path root) {
		try {
			this.root = Files.createDirectories(root.toAbsolutePath().normalize());
			this.imports = Files.createDirectories(this.root.resolve("imports"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot create the archive directory " + root, ex);
		}
		removeAbandonedUploads();
	}

	private void removeAbandonedUploads() {
		Instant before = Instant.now().minus(ABANDONED);
		try (Stream<Path> entries = Files.list(this.imports)) {
			entries.filter((entry) -> modifiedBefore(entry, before)).forEach((entry) -> {
				log.info("Removing {}, left in the import area by an upload that never ended", entry);
				deleteQuietly(entry);
			});
		}
		catch (IOException ex) {
			log.warn("Cannot look for abandoned uploads in {}: {}", this.imports, ex.toString());
		}
	}

	private static boolean modifiedBefore(Path path, Instant instant) {
		try {
			return Files.getLastModifiedTime(path).toInstant().isBefore(instant);
		}
		catch (IOException ex) {
			return false;
		}
	}

	Path root() {
		return this.root;
	}

	/** Where uploads are received and checked; nothing stays there after a request. */
	Path importArea() throws IOException {
		return Files.createDirectories(this.imports);
	}

	/** A new directory in the import area for one upload. */
	Path newStaging() throws IOException {
		return Files.createTempDirectory(importArea(), "upload-");
	}

	Path archive(UUID archiveId) {
		return this.root.resolve(archiveId.toString());
	}

	/** One service's part of an archive (which may not exist). */
	Path part(UUID archiveId, String service) {
		if (!service.matches("[a-z][a-z0-9-]{0,62}")) {
			throw new IllegalArgumentException("Not a service name: " + service);
		}
		return archive(archiveId).resolve(service + ".zip");
	}

	/** Removes an archive, if it is there. */
	void delete(UUID archiveId) {
		deleteQuietly(archive(archiveId));
	}

	/** Removes one service's part of an archive, if it is there. */
	void deletePart(UUID archiveId, String service) {
		deleteQuietly(part(archiveId, service));
	}

	/**
	 * Removes a file or a directory with everything in it. What cannot be removed is
	 * logged: the caller's work stands, and the files are found by their id.
	 */
	static void deleteQuietly(Path path) {
		try {
			Files.walkFileTree(path, new SimpleFileVisitor<>() {

				@Override
				public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
					Files.deleteIfExists(file);
					return FileVisitResult.CONTINUE;
				}

				@Override
				public FileVisitResult visitFileFailed(Path file, IOException ex) throws IOException {
					if (ex instanceof NoSuchFileException) {
						return FileVisitResult.CONTINUE;
					}
					throw ex;
				}

				@Override
				public FileVisitResult postVisitDirectory(Path dir, IOException ex) throws IOException {
					if (ex != null && !(ex instanceof NoSuchFileException)) {
						throw ex;
					}
					Files.deleteIfExists(dir);
					return FileVisitResult.CONTINUE;
				}

			});
		}
		catch (NoSuchFileException ex) {
			// Gone already.
		}
		catch (IOException ex) {
			log.warn("Cannot remove {}: {}", path, ex.toString());
		}
	}

}
