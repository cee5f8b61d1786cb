package io.tierflow.file.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.tierflow.tenancy.context.TenantContext;

/**
 * A {@link BlobStore} in a local directory: {@code <root>/<tenant id>/<file id>}. Both
 * names are UUIDs the service made or verified, so no request text ever becomes part of a
 * path. A blob is first written to a temporary file beside its final name and then moved
 * there atomically, so a reader (and the orphan sweep) sees either the whole blob or
 * none.
 */
public class LocalBlobStore implements BlobStore {

	/** Suffix of a blob still being written: {@code <file id>.<random>.part}. */
	static final String PART = ".part";

	private final Path root;

	public LocalBlobStore(Path root) {
		try {
			this.root = Files.createDirectories(root.toAbsolutePath().normalize());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot create the blob root " + root, ex);
		}
	}

	/** The directory this store keeps its blobs in. */
	public Path root() {
		return this.root;
	}

	@Override
	public long put(UUID id, InputStream content) throws IOException {
		Path target = blob(id);
		Path dir = Files.createDirectories(target.getParent());
		Path part = dir.resolve(id + "." + UUID.randomUUID() + PART);
		try {
			long bytes;
			try (FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE_NEW,
					StandardOpenOption.WRITE)) {
				// Streams in small fixed-size chunks from the request straight to disk:
				// the heap holds one buffer, whatever the file's size.
				bytes = content.transferTo(Channels.newOutputStream(channel));
				// On disk before it gets its name: a crash never leaves a named, torn
				// blob.
				channel.force(true);
			}
			moveIntoPlace(part, target);
			return bytes;
		}
		catch (IOException | RuntimeException | Error ex) {
			Files.deleteIfExists(part);
			throw ex;
		}
	}

	@Override
	public InputStream open(UUID id) throws IOException {
		return Files.newInputStream(blob(id));
	}

	@Override
	public boolean exists(UUID id) {
		return Files.isRegularFile(blob(id));
	}

	@Override
	public void delete(UUID id) throws IOException {
		Files.deleteIfExists(blob(id));
	}

	@Override
	public List<UUID> blobs() throws IOException {
		List<UUID> blobs = new ArrayList<>();
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(tenantDirectory())) {
			for (Path file : entries) {
				// A write in progress ("<id>.<random>.part") is no UUID: left out.
				uuid(file.getFileName().toString()).filter((id) -> Files.isRegularFile(file)).ifPresent(blobs::add);
			}
		}
		catch (NoSuchFileException ex) {
			return List.of();
		}
		// Directory order is the file system's: sorted, the same blobs archive alike.
		blobs.sort(null);
		return blobs;
	}

	@Override
	public List<UUID> tenants() throws IOException {
		List<UUID> tenants = new ArrayList<>();
		try (DirectoryStream<Path> dirs = Files.newDirectoryStream(this.root, Files::isDirectory)) {
			for (Path dir : dirs) {
				uuid(dir.getFileName().toString()).ifPresent(tenants::add);
			}
		}
		return tenants;
	}

	@Override
	public List<UUID> blobsWrittenBefore(Instant cutoff) throws IOException {
		List<UUID> blobs = new ArrayList<>();
		for (Path file : filesBefore(cutoff)) {
			uuid(file.getFileName().toString()).ifPresent(blobs::add);
		}
		return blobs;
	}

	@Override
	public int deleteUnfinishedWritesBefore(Instant cutoff) throws IOException {
		int deleted = 0;
		for (Path file : filesBefore(cutoff)) {
			if (file.getFileName().toString().endsWith(PART) && Files.deleteIfExists(file)) {
				deleted++;
			}
		}
		return deleted;
	}

	@Override
	public BlobUsage measure() throws IOException {
		long blobs = 0;
		long bytes = 0;
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(tenantDirectory())) {
			for (Path file : entries) {
				try {
					if (Files.isRegularFile(file)) {
						bytes += Files.size(file);
						blobs++;
					}
				}
				catch (NoSuchFileException ex) {
					// Deleted meanwhile: not there to remove.
				}
			}
		}
		catch (NoSuchFileException ex) {
			return BlobUsage.NONE;
		}
		return new BlobUsage(blobs, bytes);
	}

	@Override
	public BlobUsage deleteAll() throws IOException {
		Path dir = tenantDirectory();
		long blobs = 0;
		long bytes = 0;
		for (int attempt = 1;; attempt++) {
			try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
				for (Path file : entries) {
					try {
						long size = Files.size(file);
						if (Files.deleteIfExists(file)) {
							blobs++;
							bytes += size;
						}
					}
					catch (NoSuchFileException ex) {
						// Deleted meanwhile (a refused upload's own clean-up).
					}
				}
			}
			catch (NoSuchFileException ex) {
				return new BlobUsage(blobs, bytes);
			}
			try {
				Files.deleteIfExists(dir);
				return new BlobUsage(blobs, bytes);
			}
			catch (DirectoryNotEmptyException ex) {
				// An upload that began before the tenant was refused wrote meanwhile:
				// go round again, a few times; after that the caller retries later.
				if (attempt == 3) {
					throw ex;
				}
			}
		}
	}

	private List<Path> filesBefore(Instant cutoff) throws IOException {
		Path dir = tenantDirectory();
		List<Path> files = new ArrayList<>();
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
			for (Path file : entries) {
				try {
					if (Files.isRegularFile(file) && Files.getLastModifiedTime(file).toInstant().isBefore(cutoff)) {
						files.add(file);
					}
				}
				catch (NoSuchFileException ex) {
					// Moved into place or deleted meanwhile: not a candidate.
				}
			}
		}
		catch (NoSuchFileException ex) {
			return List.of();
		}
		return files;
	}

	private static void moveIntoPlace(Path part, Path target) throws IOException {
		try {
			Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (AtomicMoveNotSupportedException ex) {
			throw new IOException("The blob root must support atomic moves within a directory: " + part, ex);
		}
	}

	private Path blob(UUID id) {
		return tenantDirectory().resolve(id.toString());
	}

	private Path tenantDirectory() {
		return this.root.resolve(TenantContext.require().toString());
	}

	private static Optional<UUID> uuid(String name) {
		try {
			UUID id = UUID.fromString(name);
			// Only canonical names: UUID.fromString accepts variants such as "1-1-1-1-1".
			return id.toString().equals(name) ? Optional.of(id) : Optional.empty();
		}
		catch (IllegalArgumentException ex) {
			return Optional.empty();
		}
	}

}
