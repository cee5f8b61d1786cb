package io.tierflow.file.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.tenant.TenantEraseRequested;
import io.tierflow.file.RunningFileService;
import io.tierflow.file.storage.FilesClient.Download;
import io.tierflow.file.storage.FilesClient.Reply;
import io.tierflow.servicetest.TestEvents;
import io.tierflow.tenancy.placement.Tier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;

import static io.tierflow.file.storage.FilesClient.FILES;
import static io.tierflow.file.storage.FilesClient.file;
import static io.tierflow.servicetest.ServiceTestInfrastructure.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Erasing a tenant takes its blobs, counted in the report, and nobody else's. */
class TenantErasureIT extends RunningFileService {

	private static final Duration WAIT = Duration.ofSeconds(90);

	@Autowired
	OrphanBlobSweep sweep;

	FilesClient files;

	@BeforeEach
	void filesClient() {
		this.files = new FilesClient(this.port);
	}

	@ParameterizedTest
	@EnumSource(Tier.class)
	void erasesTheTenantsBlobsAndReportsThemAndLeavesANeighboursAlone(Tier tier) throws IOException {
		UUID tenant = provision(tier);
		UUID neighbour = provision(tier);
		String t = token(tenant, "USER");
		String n = token(neighbour, "USER");
		upload(t, "a.bin", 11, 3000);
		upload(t, "b.bin", 12, 4567);
		String kept = upload(n, "kept.bin", 13, 2048);
		assertThat(BLOB_ROOT.resolve(tenant.toString())).isDirectory();

		try (TestEvents.Reader replies = TestEvents.read(Topics.TENANT_REPLIES)) {
			requestErase(tenant);

			JsonNode report = awaitReport(replies, tenant);
			assertThat(report.get("service").asString()).isEqualTo("file");
			assertThat(report.get("tier").asString()).isEqualTo(tier.name());
			assertThat(report.get("removed").get("blobs").asLong()).isEqualTo(2);
			assertThat(report.get("removed").get("blobBytes").asLong()).isEqualTo(3000 + 4567);
			assertThat(report.get("rowsDeleted").get("file").asLong()).isEqualTo(2);
			assertThat(BLOB_ROOT.resolve(tenant.toString())).doesNotExist();
			assertThat(this.files.get(FILES, t).status()).isEqualTo(410);

			// Asked again (a redelivery, or the saga's retry): the same report.
			requestErase(tenant);
			await().atMost(WAIT)
				.untilAsserted(() -> assertThat(replies.data(EventTypes.TENANT_ERASED, tenant)).hasSize(2));
			JsonNode again = replies.data(EventTypes.TENANT_ERASED, tenant).get(1);
			assertThat(again.get("removed")).isEqualTo(report.get("removed"));
			assertThat(again.get("rowsDeleted")).isEqualTo(report.get("rowsDeleted"));
		}
		Download content = this.files.download(FILES + "/" + kept + "/content", n);
		assertThat(content.status()).isEqualTo(200);
		assertThat(content.sha256()).isEqualTo(GeneratedContent.sha256(13, 2048));
		assertThat(BLOB_ROOT.resolve(neighbour.toString()).resolve(kept)).hasSize(2048);
	}

	@Test
	void sweepRemovesWhatAnUploadLeftBehindForAnErasedTenantOnly() throws IOException {
		UUID erased = provision(Tier.SHARED);
		UUID emptied = provision(Tier.SHARED);
		upload(token(erased, "USER"), "gone.bin", 21, 100);
		String t = token(emptied, "USER");
		String id = upload(t, "deleted.bin", 22, 100);
		assertThat(this.files.delete(FILES + "/" + id, t).status()).isEqualTo(204);
		try (TestEvents.Reader replies = TestEvents.read(Topics.TENANT_REPLIES)) {
			requestErase(erased);
			awaitReport(replies, erased);
		}
		// An upload that was streaming while the tenant was erased: an old blob, and an
		// empty directory once its own clean-up ran.
		Path left = Files.createDirectories(BLOB_ROOT.resolve(erased.toString()));
		Path blob = Files.write(left.resolve(UUID.randomUUID().toString()), new byte[] { 1, 2, 3 });
		Files.setLastModifiedTime(blob, FileTime.from(Instant.now().minus(Duration.ofHours(2))));

		this.sweep.sweep(Instant.now().minus(Duration.ofHours(1)));
		assertThat(blob).doesNotExist();
		Files.createDirectories(left);
		this.sweep.sweep(Instant.now().minus(Duration.ofHours(1)));

		assertThat(left).doesNotExist();
		// A served tenant's empty directory stays: an upload may be about to write there.
		assertThat(BLOB_ROOT.resolve(emptied.toString())).isEmptyDirectory();
	}

	private String upload(String token, String name, long seed, long size) throws IOException {
		Reply created = this.files.upload(token, file(name, null, () -> GeneratedContent.of(seed, size)));
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return created.json().get("id").asString();
	}

	private static void requestErase(UUID tenant) {
		TestEvents.publish(Topics.TENANT, EventTypes.TENANT_ERASE_REQUESTED, tenant, UUID.randomUUID().toString(),
				new TenantEraseRequested(tenant, OffsetDateTime.now()));
	}

	private static JsonNode awaitReport(TestEvents.Reader replies, UUID tenant) {
		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(replies.data(EventTypes.TENANT_ERASED, tenant)).isNotEmpty());
		List<JsonNode> reports = replies.data(EventTypes.TENANT_ERASED, tenant);
		return reports.get(0);
	}

}
