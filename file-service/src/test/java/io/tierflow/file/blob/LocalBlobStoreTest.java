package io.tierflow.file.blob;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Stream;

import io.tierflow.tenancy.context.TenantContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class LocalBlobStoreTest {

	@TempDir
	Path root;

	@Test
	void measuresTheCurrentTenantsBlobsAndUnfinishedWritesOnly() throws IOException {
		LocalBlobStore store = new LocalBlobStore(this.root);
		UUID tenant = UUID.randomUUID();
		UUID neighbour = UUID.randomUUID();
		put(store, tenant, 100);
		put(store, tenant, 23);
		Files.write(this.root.resolve(tenant.toString()).resolve(UUID.randomUUID() + ".x" + LocalBlobStore.PART),
				new byte[7]);
		put(store, neighbour, 5000);

		try (TenantContext.Scope scope = TenantContext.open(tenant)) {
			assertThat(store.measure()).isEqualTo(new BlobUsage(3, 130));
		}
		try (TenantContext.Scope scope = TenantContext.open(neighbour)) {
			assertThat(store.measure()).isEqualTo(new BlobUsage(1, 5000));
		}
		try (TenantContext.Scope scope = TenantContext.open(UUID.randomUUID())) {
			assertThat(store.measure()).isEqualTo(BlobUsage.NONE);
		}
	}

	@Test
	void listsTheCurrentTenantsFinishedBlobsOnlyInIdOrder() throws IOException {
		LocalBlobStore store = new LocalBlobStore(this.root);
		UUID tenant = UUID.randomUUID();
		UUID neighbour = UUID.randomUUID();
		UUID first = put(store, tenant, 10);
		UUID second = put(store, tenant, 0);
		Path dir = this.root.resolve(tenant.toString());
		// An unfinished write, and names the store never makes: none of them a blob.
		Files.write(dir.resolve(UUID.randomUUID() + ".x" + LocalBlobStore.PART), new byte[3]);
		Files.write(dir.resolve("1-1-1-1-1"), new byte[1]);
		Files.createDirectory(dir.resolve(UUID.randomUUID().toString()));
		put(store, neighbour, 40);

		try (TenantContext.Scope scope = TenantContext.open(tenant)) {
			assertThat(store.blobs()).containsExactlyElementsOf(Stream.of(first, second).sorted().toList());
		}
		try (TenantContext.Scope scope = TenantContext.open(UUID.randomUUID())) {
			assertThat(store.blobs()).isEmpty();
		}
	}

	@Test
	void deleteAllRemovesTheTenantsBlobsAndDirectoryAndLeavesOthersAlone() throws IOException {
		LocalBlobStore store = new LocalBlobStore(this.root);
		UUID tenant = UUID.randomUUID();
		UUID neighbour = UUID.randomUUID();
		put(store, tenant, 10);
		put(store, tenant, 20);
		Files.write(this.root.resolve(tenant.toString()).resolve(UUID.randomUUID() + ".x" + LocalBlobStore.PART),
				new byte[3]);
		UUID kept = put(store, neighbour, 40);

		try (TenantContext.Scope scope = TenantContext.open(tenant)) {
			assertThat(store.deleteAll()).isEqualTo(new BlobUsage(3, 33));
			assertThat(store.measure()).isEqualTo(BlobUsage.NONE);
		}
		assertThat(this.root.resolve(tenant.toString())).doesNotExist();
		assertThat(store.tenants()).containsExactly(neighbour);
		try (TenantContext.Scope scope = TenantContext.open(neighbour)) {
			assertThat(store.exists(kept)).isTrue();
			assertThat(store.measure()).isEqualTo(new BlobUsage(1, 40));
		}
	}

	@Test
	void deleteAllIsSafeToRepeatAndForATenantWithNothingStored() throws IOException {
		LocalBlobStore store = new LocalBlobStore(this.root);
		UUID tenant = UUID.randomUUID();
		put(store, tenant, 10);
		try (TenantContext.Scope scope = TenantContext.open(tenant)) {
			assertThat(store.deleteAll()).isEqualTo(new BlobUsage(1, 10));
			assertThat(store.deleteAll()).isEqualTo(BlobUsage.NONE);
		}
		try (TenantContext.Scope scope = TenantContext.open(UUID.randomUUID())) {
			assertThat(store.deleteAll()).isEqualTo(BlobUsage.NONE);
		}
		assertThat(store.tenants()).isEmpty();
	}

	private static UUID put(LocalBlobStore store, UUID tenant, int size) throws IOException {
		UUID id = UUID.randomUUID();
		try (TenantContext.Scope scope = TenantContext.open(tenant)) {
			assertThat(store.put(id, new ByteArrayInputStream(new byte[size]))).isEqualTo(size);
		}
		return id;
	}

}
