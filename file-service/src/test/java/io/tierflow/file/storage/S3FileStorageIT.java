package io.tierflow.file.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tierflow.file.blob.S3Endpoint;
import io.tierflow.file.blob.S3Settings;
import io.tierflow.file.storage.FilesClient.Download;
import io.tierflow.file.storage.FilesClient.Reply;
import io.tierflow.mover.ArchiveStep;
import io.tierflow.mover.ErasureStep;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.TestTokenDecoderConfiguration;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.S3Server;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.unit.DataSize;

import static io.tierflow.file.storage.FilesClient.FILES;
import static io.tierflow.file.storage.FilesClient.file;
import static io.tierflow.servicetest.ServiceTestInfrastructure.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The files API with its blobs in S3: an S3-compatible server of its own
 * ({@link S3Server}, a separate process), buckets per region ({@code eu} and {@code us},
 * a SHARED cluster in each), parts of 5 MB so larger files go as multipart uploads, and
 * small quotas (SHARED 1 MiB, DEDICATED 12 MiB). The blob root is set but must stay
 * empty. Its own application context, closed after the class.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestTokenDecoderConfiguration.class)
@DirtiesContext
class S3FileStorageIT {

	private static final long KIB = 1024;

	private static final long MIB = 1024 * KIB;

	private static final String PREFIX = "files3it";

	private static final String BUCKET_PREFIX = "tierflow-it";

	private static final String EU = BUCKET_PREFIX + "-eu";

	private static final String US = BUCKET_PREFIX + "-us";

	private static final Path WORK = temporaryDirectory("s3it-");

	private static final Path BLOB_ROOT = WORK.resolve("blobs");

	private static volatile S3Server s3 = S3Server.start(WORK.resolve("s3"), 0);

	private static final S3Client bucketsClient = S3Endpoint
		.client(new S3Settings(s3.endpoint().toString(), s3.accessKey(), s3.secretKey(), BUCKET_PREFIX, true,
				s3.signingRegion(), DataSize.ofMegabytes(8), Duration.ofSeconds(2), Duration.ofSeconds(30)));

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		ServiceTestInfrastructure.tenantDataService(registry, "file", PREFIX);
		// A SHARED cluster in region "us" beside the three of "eu".
		PostgresServer pg = TestPostgres.get();
		String us = PREFIX + "_shared_us";
		pg.dropDatabase(us);
		pg.createDatabase(us);
		String c = "tierflow.tenancy.clusters[3].";
		registry.add(c + "name", () -> "shared-us");
		registry.add(c + "jdbc-url", () -> pg.jdbcUrl(us));
		registry.add(c + "username", pg::adminUser);
		registry.add(c + "password", pg::adminPassword);
		registry.add(c + "role", () -> "SHARED");
		registry.add(c + "region", () -> "us");

		registry.add("tierflow.files.s3.endpoint", () -> s3.endpoint().toString());
		registry.add("tierflow.files.s3.access-key", () -> S3Server.ACCESS_KEY);
		registry.add("tierflow.files.s3.secret-key", () -> S3Server.SECRET_KEY);
		registry.add("tierflow.files.s3.bucket-prefix", () -> BUCKET_PREFIX);
		registry.add("tierflow.files.s3.part-size", () -> "5MB");
		registry.add("tierflow.files.blob-root", BLOB_ROOT::toString);
		registry.add("tierflow.mover.archives", () -> WORK.resolve("archives").toString());
		registry.add("tierflow.files.quota.shared", () -> MIB + "B");
		registry.add("tierflow.files.quota.per-user.shared", () -> "0B");
		registry.add("tierflow.files.quota.dedicated", () -> 12 * MIB + "B");
		registry.add("tierflow.files.max-file-size", () -> 20 * MIB + "B");
		// The test sweeps when it wants to.
		registry.add("tierflow.files.orphan-sweep-interval", () -> "1h");
	}

	@LocalServerPort
	int port;

	@Autowired
	TenantProvisioner provisioner;

	@Autowired
	OrphanBlobSweep sweep;

	@Autowired
	List<ErasureStep> erasureSteps;

	@Autowired
	List<ArchiveStep> archiveSteps;

	FilesClient files;

	@BeforeEach
	void filesClient() {
		this.files = new FilesClient(this.port);
	}

	@AfterAll
	static void stopS3() {
		bucketsClient.close();
		s3.close();
	}

	@Test
	void createsABucketPerRegionAtStartUp() {
		assertThat(bucketsClient.listBuckets().buckets()).extracting((b) -> b.name()).contains(EU, US);
	}

	@Test
	void uploadsDownloadsAndDeletesASmallFileInOnePieceAndALargeOneInParts() throws IOException {
		UUID small = provision(Tier.SHARED, "eu");
		UUID large = provision(Tier.DEDICATED, "eu");
		String s = token(small, "USER");
		String l = token(large, "USER");

		String smallId = upload(s, "small.txt", 1, 300 * KIB + 7);
		// Three parts: 5 MiB, 5 MiB and the rest.
		String largeId = upload(l, "large.bin", 2, 11 * MIB + 5);

		assertThat(object(EU, small, smallId).size()).isEqualTo(300 * KIB + 7);
		assertThat(object(EU, large, largeId).size()).isEqualTo(11 * MIB + 5);
		assertThat(unfinishedUploads(EU, large)).isZero();
		Download smallContent = this.files.download(FILES + "/" + smallId + "/content", s);
		assertThat(smallContent.status()).isEqualTo(200);
		assertThat(smallContent.sha256()).isEqualTo(GeneratedContent.sha256(1, 300 * KIB + 7));
		assertThat(smallContent.header("ETag")).isEqualTo("\"" + smallContent.sha256() + "\"");
		Download largeContent = this.files.download(FILES + "/" + largeId + "/content", l);
		assertThat(largeContent.status()).isEqualTo(200);
		assertThat(largeContent.bytes()).isEqualTo(11 * MIB + 5);
		assertThat(largeContent.sha256()).isEqualTo(GeneratedContent.sha256(2, 11 * MIB + 5));

		assertThat(this.files.delete(FILES + "/" + largeId, l).status()).isEqualTo(204);
		assertThat(objects(EU, large)).isEmpty();
		assertThat(this.files.download(FILES + "/" + largeId + "/content", l).status()).isEqualTo(404);
		assertThat(this.files.get(FILES + "/usage", l).json().get("bytes").asLong()).isZero();
		// Nothing went to the local directory.
		assertThat(BLOB_ROOT).satisfiesAnyOf((root) -> assertThat(root).doesNotExist(),
				(root) -> assertThat(root).isEmptyDirectory());
	}

	@Test
	void tenantsOfTwoRegionsLandInTheirRegionsBuckets() throws IOException {
		UUID european = provision(Tier.SHARED, "eu");
		UUID american = provision(Tier.SHARED, "us");

		String euId = upload(token(european, "USER"), "eu.txt", 3, 4000);
		String usId = upload(token(american, "USER"), "us.txt", 4, 5000);

		assertThat(objects(EU, european)).extracting(S3Object::key).containsExactly(european + "/" + euId);
		assertThat(objects(US, european)).isEmpty();
		assertThat(objects(US, american)).extracting(S3Object::key).containsExactly(american + "/" + usId);
		assertThat(objects(EU, american)).isEmpty();
		Download content = this.files.download(FILES + "/" + usId + "/content", token(american, "USER"));
		assertThat(content.sha256()).isEqualTo(GeneratedContent.sha256(4, 5000));
	}

	@Test
	void rejectsReadingOrDeletingAnotherTenantsFile() throws IOException {
		UUID owner = provision(Tier.SHARED, "eu");
		UUID other = provision(Tier.SHARED, "eu");
		String id = upload(token(owner, "USER"), "secret.txt", 5, 2048);
		String intruder = token(other, "TENANT_ADMIN");

		assertThat(this.files.get(FILES + "/" + id, intruder).status()).isEqualTo(404);
		assertThat(this.files.download(FILES + "/" + id + "/content", intruder).status()).isEqualTo(404);
		assertThat(this.files.delete(FILES + "/" + id, intruder).status()).isEqualTo(404);

		assertThat(object(EU, owner, id).size()).isEqualTo(2048);
		assertThat(objects(EU, other)).isEmpty();
	}

	@Test
	void refusesAnUploadOverTheQuotaAndLeavesNothingInTheBucket() throws IOException {
		UUID shared = provision(Tier.SHARED, "eu");
		UUID dedicated = provision(Tier.DEDICATED, "eu");

		// Refused within its first part: never sent.
		Reply small = this.files.upload(token(shared, "USER"),
				file("big.bin", null, () -> GeneratedContent.of(6, MIB + MIB / 2)));
		// Refused after two parts went to S3: the multipart upload is aborted.
		Reply large = this.files.upload(token(dedicated, "USER"),
				file("huge.bin", null, () -> GeneratedContent.of(7, 15 * MIB)));

		for (Reply refused : List.of(small, large)) {
			assertThat(refused.status()).as(refused.body()).isEqualTo(413);
			assertThat(refused.isProblem()).isTrue();
		}
		assertThat(large.json().get("limit").asLong()).isEqualTo(12 * MIB);
		for (UUID tenant : List.of(shared, dedicated)) {
			assertThat(objects(EU, tenant)).isEmpty();
			assertThat(unfinishedUploads(EU, tenant)).isZero();
			assertThat(this.files.get(FILES, token(tenant, "USER")).json().get("items")).isEmpty();
		}
	}

	@Test
	void answers503WhileTheS3ServerIsDownAndCommitsNothing() throws IOException {
		UUID tenant = provision(Tier.SHARED, "eu");
		String t = token(tenant, "USER");
		String kept = upload(t, "kept.txt", 8, 1000);
		String deleted = upload(t, "deleted.txt", 9, 2000);
		int port = s3.port();

		s3.close();
		try {
			Reply upload = this.files.upload(t, file("lost.txt", null, () -> GeneratedContent.of(10, 3000)));
			Reply download = this.files.get(FILES + "/" + kept + "/content", t);
			// The metadata goes; the blob stays for the orphan sweep.
			Reply delete = this.files.delete(FILES + "/" + deleted, t);

			for (Reply unavailable : List.of(upload, download)) {
				assertThat(unavailable.status()).as(unavailable.body()).isEqualTo(503);
				assertThat(unavailable.isProblem()).isTrue();
				assertThat(unavailable.json().get("title").asString()).isEqualTo("File store unavailable");
				assertThat(unavailable.headers().firstValue("Retry-After")).isPresent();
			}
			assertThat(delete.status()).isEqualTo(204);
			JsonNode listed = this.files.get(FILES, t).json().get("items");
			assertThat(listed).hasSize(1);
			assertThat(listed.get(0).get("id").asString()).isEqualTo(kept);
			assertThat(this.files.get(FILES + "/usage", t).json().get("bytes").asLong()).isEqualTo(1000);
		}
		finally {
			s3 = S3Server.start(WORK.resolve("s3"), port);
		}

		assertThat(objects(EU, tenant)).extracting(S3Object::key)
			.containsExactlyInAnyOrder(tenant + "/" + kept, tenant + "/" + deleted);
		Download content = this.files.download(FILES + "/" + kept + "/content", t);
		assertThat(content.status()).isEqualTo(200);
		assertThat(content.sha256()).isEqualTo(GeneratedContent.sha256(8, 1000));
		this.sweep.sweep(Instant.now().plus(Duration.ofMinutes(1)));
		assertThat(objects(EU, tenant)).extracting(S3Object::key).containsExactly(tenant + "/" + kept);
		upload(t, "after.txt", 11, 500);
	}

	@Test
	void sweepRemovesOrphansAndAbandonedUploadsButKeepsFiles() throws IOException {
		UUID tenant = provision(Tier.SHARED, "us");
		String id = upload(token(tenant, "USER"), "file.txt", 12, 700);
		String orphan = tenant + "/" + UUID.randomUUID();
		bucketsClient.putObject((b) -> b.bucket(US).key(orphan), RequestBody.fromBytes(new byte[] { 1, 2, 3 }));
		String abandoned = tenant + "/" + UUID.randomUUID();
		String uploadId = bucketsClient.createMultipartUpload((b) -> b.bucket(US).key(abandoned)).uploadId();
		bucketsClient.uploadPart((b) -> b.bucket(US).key(abandoned).uploadId(uploadId).partNumber(1),
				RequestBody.fromBytes(new byte[1000]));
		assertThat(unfinishedUploads(US, tenant)).isEqualTo(1);

		// Every object is older than a cutoff a minute from now.
		this.sweep.sweep(Instant.now().plus(Duration.ofMinutes(1)));

		assertThat(objects(US, tenant)).extracting(S3Object::key).containsExactly(tenant + "/" + id);
		assertThat(unfinishedUploads(US, tenant)).isZero();
	}

	@Test
	void erasesAndArchivesATenantsBlobsInItsRegionsBucket() throws Exception {
		UUID source = provision(Tier.SHARED, "eu");
		UUID target = provision(Tier.SHARED, "us");
		String a = upload(token(source, "USER"), "a.bin", 13, 3000);
		String b = upload(token(source, "USER"), "b.bin", 14, 4567);
		ArchiveStep archive = this.archiveSteps.stream().filter((s) -> s.prefix().equals("blobs")).findFirst().get();

		Map<String, byte[]> entries = new LinkedHashMap<>();
		try (TenantContext.Scope scope = TenantContext.openForMaintenance(source)) {
			archive.write(source, (name, content) -> entries.put(name, content.readAllBytes()));
		}
		assertThat(entries).containsOnlyKeys(a, b);
		try (TenantContext.Scope scope = TenantContext.openForMaintenance(target)) {
			archive.read(target, List.copyOf(entries.keySet()), (name) -> new ByteArrayInputStream(entries.get(name)));
		}
		assertThat(objects(US, target)).extracting(S3Object::key)
			.containsExactlyInAnyOrder(target + "/" + a, target + "/" + b);

		Map<String, Long> removes = new LinkedHashMap<>();
		for (ErasureStep step : this.erasureSteps) {
			removes.putAll(step.removes(source));
		}
		assertThat(removes).containsEntry("blobs", 2L).containsEntry("blobBytes", 3000L + 4567L);
		for (ErasureStep step : this.erasureSteps) {
			step.erase(source);
		}
		assertThat(objects(EU, source)).isEmpty();
		assertThat(objects(US, target)).hasSize(2);
	}

	private UUID provision(Tier tier, String region) {
		UUID tenant = UUID.randomUUID();
		assertThat(this.provisioner.provision(tenant, tier, region).state()).isEqualTo(PlacementState.READY);
		return tenant;
	}

	private String upload(String token, String name, long seed, long size) throws IOException {
		Reply created = this.files.upload(token, file(name, null, () -> GeneratedContent.of(seed, size)));
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return created.json().get("id").asString();
	}

	private static List<S3Object> objects(String bucket, UUID tenant) {
		return bucketsClient.listObjectsV2((b) -> b.bucket(bucket).prefix(tenant + "/")).contents();
	}

	private static S3Object object(String bucket, UUID tenant, String id) {
		List<S3Object> found = bucketsClient.listObjectsV2((b) -> b.bucket(bucket).prefix(tenant + "/" + id))
			.contents();
		assertThat(found).as("object %s/%s in %s", tenant, id, bucket).hasSize(1);
		return found.get(0);
	}

	private static int unfinishedUploads(String bucket, UUID tenant) {
		return bucketsClient.listMultipartUploads((b) -> b.bucket(bucket).prefix(tenant + "/")).uploads().size();
	}

	private static Path temporaryDirectory(String prefix) {
		try {
			return Files.createTempDirectory(Files.createDirectories(Path.of("target")), prefix);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
