package io.tierflow.file.archive;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tierflow.file.blob.BlobUsage;
import io.tierflow.file.blob.LocalBlobStore;
import io.tierflow.mover.ArchiveStep;
import io.tierflow.tenancy.context.TenantContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class BlobArchiveTest {

	@TempDir
	Path root;

	@Test
	void writesEachFinishedBlobOfTheTenantAsAnEntryNamedByItsFileId() throws IOException {
		LocalBlobStore store = new LocalBlobStore(this.root);
		UUID tenant = UUID.randomUUID();
		UUID a = put(store, tenant, "first");
		UUID b = put(store, tenant, "");
		Files.write(this.root.resolve(tenant.toString()).resolve(a + ".x.part"), new byte[] { 1, 2 });
		put(store, UUID.randomUUID(), "a neighbour's");

		Map<String, String> entries = new LinkedHashMap<>();
		try (TenantContext.Scope scope = TenantContext.openForMaintenance(tenant)) {
			new BlobArchive(store).write(tenant,
					(name, content) -> entries.put(name, new String(content.readAllBytes(), StandardCharsets.UTF_8)));
		}

		assertThat(entries).containsOnly(Map.entry(a.toString(), "first"), Map.entry(b.toString(), ""));
	}

	@Test
	void readsEveryNamedBlobIntoTheBoundTenantAndDiscardsThemAll() throws IOException {
		LocalBlobStore store = new LocalBlobStore(this.root);
		UUID tenant = UUID.randomUUID();
		Map<String, String> archive = Map.of(UUID.randomUUID().toString(), "one", UUID.randomUUID().toString(), "two");
		BlobArchive blobs = new BlobArchive(store);

		try (TenantContext.Scope scope = TenantContext.openForMaintenance(tenant)) {
			blobs.read(tenant, List.copyOf(archive.keySet()), (name) -> stream(archive.get(name)));
			for (Map.Entry<String, String> entry : archive.entrySet()) {
				try (InputStream in = store.open(UUID.fromString(entry.getKey()))) {
					assertThat(in).hasContent(entry.getValue());
				}
			}

			blobs.discard(tenant);
			assertThat(store.measure()).isEqualTo(BlobUsage.NONE);
		}
		assertThat(this.root.resolve(tenant.toString())).doesNotExist();
	}

	@ParameterizedTest
	@ValueSource(strings = { "../escape", "..", "", "1-1-1-1-1", "0193A5B2-7C4D-4E8F-9A1B-2C3D4E5F6A7B",
			"0193a5b2-7c4d-4e8f-9a1b-2c3d4e5f6a7b/../x", "0193a5b2-7c4d-4e8f-9a1b-2c3d4e5f6a7b.part" })
	void refusesAnEntryNotNamedByAFileIdBeforeWritingAnything(String name) throws IOException {
		LocalBlobStore store = new LocalBlobStore(this.root);
		UUID tenant = UUID.randomUUID();
		List<String> opened = new ArrayList<>();

		try (TenantContext.Scope scope = TenantContext.openForMaintenance(tenant)) {
			assertThatIOException().isThrownBy(
					() -> new BlobArchive(store).read(tenant, List.of(UUID.randomUUID().toString(), name), (n) -> {
						opened.add(n);
						return stream("bytes");
					}))
				.withMessageContaining("not named by a file id");
		}

		assertThat(opened).isEmpty();
		try (var files = Files.list(this.root)) {
			assertThat(files).isEmpty();
		}
	}

	@Test
	void refusesAFileIdNamedTwice() throws IOException {
		LocalBlobStore store = new LocalBlobStore(this.root);
		UUID tenant = UUID.randomUUID();
		String id = UUID.randomUUID().toString();

		try (TenantContext.Scope scope = TenantContext.openForMaintenance(tenant)) {
			assertThatIOException()
				.isThrownBy(() -> new BlobArchive(store).read(tenant, List.of(id, id), (n) -> stream("bytes")))
				.withMessageContaining("twice");
			assertThat(store.blobs()).isEmpty();
		}
	}

	@Test
	void aBlobWhoseBytesFailTheirCheckAtTheEndIsNotLeftInTheStore() throws IOException {
		LocalBlobStore store = new LocalBlobStore(this.root);
		UUID tenant = UUID.randomUUID();
		UUID good = UUID.randomUUID();
		UUID altered = UUID.randomUUID();
		IOException mismatch = new IOException("Entry blobs/" + altered + " does not match its SHA-256");
		ArchiveStep.Source archive = (name) -> name.equals(altered.toString()) ? failingAtTheEnd("altered", mismatch)
				: stream("good");

		try (TenantContext.Scope scope = TenantContext.openForMaintenance(tenant)) {
			assertThatIOException().isThrownBy(
					() -> new BlobArchive(store).read(tenant, List.of(good.toString(), altered.toString()), archive))
				.isSameAs(mismatch);

			// The blob read before stays until the archiver discards the import; the
			// altered one, unfinished write included, is gone already.
			assertThat(store.blobs()).containsExactly(good);
			assertThat(store.measure()).isEqualTo(new BlobUsage(1, 4));
		}
	}

	@Test
	void refusesATenantOtherThanTheBoundOne() {
		LocalBlobStore store = new LocalBlobStore(this.root);
		UUID tenant = UUID.randomUUID();

		try (TenantContext.Scope scope = TenantContext.openForMaintenance(UUID.randomUUID())) {
			assertThatIllegalStateException().isThrownBy(() -> new BlobArchive(store).read(tenant,
					List.of(UUID.randomUUID().toString()), (n) -> stream("bytes")));
			assertThatIllegalStateException().isThrownBy(() -> new BlobArchive(store).discard(tenant));
		}
	}

	private static UUID put(LocalBlobStore store, UUID tenant, String content) throws IOException {
		UUID id = UUID.randomUUID();
		try (TenantContext.Scope scope = TenantContext.open(tenant)) {
			store.put(id, stream(content));
		}
		return id;
	}

	private static InputStream stream(String content) {
		return new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8));
	}

	/** The archive's check: the bytes, then an exception where the end would be. */
	private static InputStream failingAtTheEnd(String content, IOException failure) {
		InputStream bytes = stream(content);
		return new InputStream() {

			@Override
			public int read() throws IOException {
				int b = bytes.read();
				if (b < 0) {
					throw failure;
				}
				return b;
			}

			@Override
			public int read(byte[] buffer, int offset, int length) throws IOException {
				int n = bytes.read(buffer, offset, length);
				if (n < 0) {
					throw failure;
				}
				return n;
			}

		};
	}

}
