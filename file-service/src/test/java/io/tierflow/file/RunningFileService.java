package io.tierflow.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.TestTokenDecoderConfiguration;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The file-service running on real PostgreSQL and Kafka, one application context shared
 * by every integration test class: a blob store and an archive directory in fresh
 * directories, and small storage quotas (SHARED 1 MiB plus 512 KiB per user, DEDICATED
 * and ENTERPRISE 128 MiB, a single file at most 56 MiB).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestTokenDecoderConfiguration.class)
public abstract class RunningFileService {

	/** The blob store's root directory. */
	protected static final Path BLOB_ROOT = temporaryDirectory("blobs-");

	/** The directory of tenant archives ({@code <archive id>/file.zip}). */
	protected static final Path ARCHIVES = temporaryDirectory("archives-");

	protected static final long SHARED_QUOTA = 1024 * 1024;

	protected static final long SHARED_PER_USER = 512 * 1024;

	protected static final long LARGE_QUOTA = 128L * 1024 * 1024;

	protected static final long MAX_FILE_SIZE = 56L * 1024 * 1024;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		ServiceTestInfrastructure.tenantDataService(registry, "file", "fileit");
		registry.add("tierflow.files.blob-root", BLOB_ROOT::toString);
		registry.add("tierflow.mover.archives", ARCHIVES::toString);
		registry.add("tierflow.files.max-file-size", () -> MAX_FILE_SIZE + "B");
		registry.add("tierflow.files.quota.shared", () -> SHARED_QUOTA + "B");
		registry.add("tierflow.files.quota.per-user.shared", () -> SHARED_PER_USER + "B");
		registry.add("tierflow.files.quota.dedicated", () -> LARGE_QUOTA + "B");
		registry.add("tierflow.files.quota.enterprise", () -> LARGE_QUOTA + "B");
	}

	@LocalServerPort
	protected int port;

	@Autowired
	protected TenantProvisioner provisioner;

	protected ApiClient api;

	@BeforeEach
	void client() {
		this.api = new ApiClient(this.port);
	}

	/** A new tenant placed on the tier. */
	protected UUID provision(Tier tier) {
		UUID tenant = UUID.randomUUID();
		assertThat(this.provisioner.provision(tenant, tier, "eu").state()).isEqualTo(PlacementState.READY);
		return tenant;
	}

	private static Path temporaryDirectory(String prefix) {
		try {
			// Under target/: gone with the next clean build.
			return Files.createTempDirectory(Files.createDirectories(Path.of("target")), prefix);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
