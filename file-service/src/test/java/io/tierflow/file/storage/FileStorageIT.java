package io.tierflow.file.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.tenant.UserCreated;
import io.tierflow.file.RunningFileService;
import io.tierflow.file.storage.FilesClient.Download;
import io.tierflow.file.storage.FilesClient.Reply;
import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.TestEvents;
import io.tierflow.tenancy.placement.Tier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;

import static io.tierflow.file.storage.FilesClient.FILES;
import static io.tierflow.file.storage.FilesClient.field;
import static io.tierflow.file.storage.FilesClient.file;
import static io.tierflow.servicetest.ServiceTestInfrastructure.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class FileStorageIT extends RunningFileService {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final long KIB = 1024;

	private static final long MIB = 1024 * KIB;

	@Autowired
	OrphanBlobSweep sweep;

	FilesClient files;

	@BeforeEach
	void filesClient() {
		this.files = new FilesClient(this.port);
	}

	@ParameterizedTest
	@EnumSource(Tier.class)
	void uploadsAndDownloadsByteIdenticalOnEveryTier(Tier tier) throws IOException {
		UUID tenant = provision(tier);
		String t = token(tenant, "USER");
		long size = 300 * KIB + 7;
		String sha256 = GeneratedContent.sha256(1, size);
		try (TestEvents.Reader events = TestEvents.read(Topics.FILE)) {
			Reply created = this.files.upload(t,
					file("Résumé \"final\".pdf", "application/pdf", () -> GeneratedContent.of(1, size)));

			assertThat(created.status()).as(created.body()).isEqualTo(201);
			JsonNode stored = created.json();
			String id = stored.get("id").asString();
			assertThat(created.headers().firstValue("Location")).hasValue(FILES + "/" + id);
			assertThat(stored.get("name").asString()).isEqualTo("Résumé \"final\".pdf");
			assertThat(stored.get("contentType").asString()).isEqualTo("application/pdf");
			assertThat(stored.get("size").asLong()).isEqualTo(size);
			assertThat(stored.get("sha256").asString()).isEqualTo(sha256);
			assertThat(stored.get("folderId").isNull()).isTrue();
			assertThat(stored.get("createdAt").isNull()).isFalse();
			assertThat(this.files.get(FILES + "/" + id, t).json()).isEqualTo(stored);
			assertThat(blob(tenant, id)).hasSize(size);

			Download content = this.files.download(FILES + "/" + id + "/content", t);
			assertThat(content.status()).isEqualTo(200);
			assertThat(content.bytes()).isEqualTo(size);
			assertThat(content.sha256()).isEqualTo(sha256);
			assertThat(content.header("Content-Type")).isEqualTo("application/pdf");
			assertThat(content.header("Content-Length")).isEqualTo(Long.toString(size));
			assertThat(content.header("ETag")).isEqualTo("\"" + sha256 + "\"");
			assertThat(content.header("Content-Disposition")).startsWith("attachment;")
				.contains("filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf")
				.doesNotContain("\r", "\n");
			Download unchanged = this.files.download(FILES + "/" + id + "/content", t, "If-None-Match",
					"\"" + sha256 + "\"");
			assertThat(unchanged.status()).isEqualTo(304);
			assertThat(unchanged.bytes()).isZero();

			JsonNode usage = this.files.get(FILES + "/usage", t).json();
			assertThat(usage.get("tier").asString()).isEqualTo(tier.name());
			assertThat(usage.get("bytes").asLong()).isEqualTo(size);
			assertThat(usage.get("files").asLong()).isEqualTo(1);
			assertThat(usage.get("quota").asLong()).isEqualTo((tier == Tier.SHARED) ? SHARED_QUOTA : LARGE_QUOTA);

			// file.uploaded, once, with what billing meters.
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(events.data(EventTypes.FILE_UPLOADED, tenant)).hasSize(1));
			await().during(Duration.ofMillis(500))
				.atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(events.data(EventTypes.FILE_UPLOADED, tenant)).hasSize(1));
			JsonNode uploaded = events.data(EventTypes.FILE_UPLOADED, tenant).get(0);
			assertThat(uploaded.get("tenantId").asString()).isEqualTo(tenant.toString());
			assertThat(uploaded.get("fileId").asString()).isEqualTo(id);
			assertThat(uploaded.get("bytes").asLong()).isEqualTo(size);
			assertThat(uploaded.get("sha256").asString()).isEqualTo(sha256);
			assertThat(uploaded.get("contentType").asString()).isEqualTo("application/pdf");
			assertThat(uploaded.get("uploadedBy").asString()).startsWith("user-");
			assertThat(uploaded.get("uploadedAt").isNull()).isFalse();
		}
	}

	@Test
	void listsNewestFirstInPagesAndByFolder() throws IOException {
		UUID tenant = provision(Tier.DEDICATED);
		String t = token(tenant, "USER");
		String folderId = folder(t, "inbox");
		for (int i = 1; i <= 5; i++) {
			long size = i * 10;
			FilesClient.Part part = file("f" + i + ".txt", "text/plain", () -> GeneratedContent.of(2, size));
			Reply r = (i % 2 == 0) ? this.files.upload(t, field("folderId", folderId), part)
					: this.files.upload(t, part);
			assertThat(r.status()).as(r.body()).isEqualTo(201);
		}
		Reply empty = this.files.upload(t, file("empty.txt", null, InputStream::nullInputStream));
		assertThat(empty.status()).as(empty.body()).isEqualTo(201);
		assertThat(empty.json().get("size").asLong()).isZero();
		assertThat(empty.json().get("contentType").asString()).isEqualTo("application/octet-stream");

		assertThat(names(FILES + "?page=0&size=2", t)).containsExactly("empty.txt", "f5.txt");
		assertThat(names(FILES + "?page=1&size=2", t)).containsExactly("f4.txt", "f3.txt");
		assertThat(names(FILES + "?page=2&size=2", t)).containsExactly("f2.txt", "f1.txt");
		assertThat(names(FILES + "?page=3&size=2", t)).isEmpty();
		assertThat(names(FILES, t)).hasSize(6);
		assertThat(names(FILES + "?folderId=" + folderId, t)).containsExactly("f4.txt", "f2.txt");
		assertThat(names(FILES + "?folderId=" + folderId + "&size=1&page=1", t)).containsExactly("f2.txt");
		JsonNode page = this.files.get(FILES + "?page=1&size=2", t).json();
		assertThat(page.get("page").asInt()).isEqualTo(1);
		assertThat(page.get("size").asInt()).isEqualTo(2);
		assertProblem(this.files.get(FILES + "?folderId=" + UUID.randomUUID(), t), 404);
	}

	@Test
	void aUserDeletesOnlyTheirOwnFilesATenantAdminAny() throws IOException {
		UUID tenant = provision(Tier.SHARED);
		String ada = token(tenant, "USER");
		String bea = token(tenant, "USER");
		String adasFile = idOf(this.files.upload(ada, file("ada.txt", "text/plain",
				() -> new ByteArrayInputStream("Ada's".getBytes(StandardCharsets.UTF_8)))));
		String beasFile = idOf(this.files.upload(bea, file("bea.txt", "text/plain",
				() -> new ByteArrayInputStream("Bea's".getBytes(StandardCharsets.UTF_8)))));

		Reply refused = this.files.delete(FILES + "/" + adasFile, bea);
		assertProblem(refused, 403);
		assertThat(refused.body()).contains("Only the user who uploaded file " + adasFile);
		assertThat(names(FILES, ada)).containsExactlyInAnyOrder("ada.txt", "bea.txt");

		assertThat(this.files.delete(FILES + "/" + beasFile, bea).status()).isEqualTo(204);
		assertThat(this.files.delete(FILES + "/" + adasFile, token(tenant, "TENANT_ADMIN")).status()).isEqualTo(204);
		assertThat(names(FILES, ada)).isEmpty();
	}

	@Test
	void deleteRemovesMetadataBlobAndUsageAndEmitsFileDeleted() throws IOException {
		UUID tenant = provision(Tier.ENTERPRISE);
		String t = token(tenant, "USER");
		try (TestEvents.Reader events = TestEvents.read(Topics.FILE)) {
			Reply kept = this.files.upload(t, file("kept.bin", null, () -> GeneratedContent.of(3, 1000)));
			String id = idOf(this.files.upload(t, file("gone.bin", null, () -> GeneratedContent.of(4, 4321))));
			assertThat(blob(tenant, id)).exists();

			Reply deleted = this.files.delete(FILES + "/" + id, t);
			assertThat(deleted.status()).as(deleted.body()).isEqualTo(204);

			assertProblem(this.files.get(FILES + "/" + id, t), 404);
			assertProblem(this.files.get(FILES + "/" + id + "/content", t), 404);
			assertProblem(this.files.delete(FILES + "/" + id, t), 404);
			assertThat(blob(tenant, id)).doesNotExist();
			assertThat(names(FILES, t)).containsExactly("kept.bin");
			JsonNode usage = this.files.get(FILES + "/usage", t).json();
			assertThat(usage.get("bytes").asLong()).isEqualTo(1000);
			assertThat(usage.get("files").asLong()).isEqualTo(1);
			assertThat(blob(tenant, idOf(kept))).hasSize(1000);

			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(events.data(EventTypes.FILE_DELETED, tenant)).hasSize(1));
			JsonNode gone = events.data(EventTypes.FILE_DELETED, tenant).get(0);
			assertThat(gone.get("fileId").asString()).isEqualTo(id);
			assertThat(gone.get("bytes").asLong()).isEqualTo(4321);
			assertThat(gone.get("deletedBy").asString()).startsWith("user-");
			assertThat(gone.get("deletedAt").isNull()).isFalse();
			await().during(Duration.ofMillis(500))
				.atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(events.data(EventTypes.FILE_DELETED, tenant)).hasSize(1));
		}
	}

	@Test
	void refusesAnUploadOverTheQuotaAndStoresNothing() throws IOException {
		UUID tenant = provision(Tier.SHARED);
		String t = token(tenant, "USER");
		try (TestEvents.Reader events = TestEvents.read(Topics.FILE)) {
			idOf(this.files.upload(t, file("first.bin", null, () -> GeneratedContent.of(5, 700 * KIB))));
			List<Path> blobsBefore = blobs(tenant);

			Reply refused = this.files.upload(t, file("second.bin", null, () -> GeneratedContent.of(6, 400 * KIB)));

			assertProblem(refused, 413);
			assertThat(refused.json().get("quota").asString()).isEqualTo("SHARED");
			assertThat(refused.json().get("used").asLong()).isEqualTo(700 * KIB);
			assertThat(refused.json().get("limit").asLong()).isEqualTo(SHARED_QUOTA);
			assertThat(blobs(tenant)).isEqualTo(blobsBefore).hasSize(1);
			assertThat(names(FILES, t)).containsExactly("first.bin");
			JsonNode usage = this.files.get(FILES + "/usage", t).json();
			assertThat(usage.get("bytes").asLong()).isEqualTo(700 * KIB);
			assertThat(usage.get("files").asLong()).isEqualTo(1);
			// What is left still fits.
			assertThat(this.files.upload(t, file("third.bin", null, () -> GeneratedContent.of(7, 324 * KIB))).status())
				.isEqualTo(201);
			assertThat(this.files.get(FILES + "/usage", t).json().get("bytes").asLong()).isEqualTo(SHARED_QUOTA);
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(events.data(EventTypes.FILE_UPLOADED, tenant)).hasSize(2));
			await().during(Duration.ofMillis(500))
				.atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(events.data(EventTypes.FILE_UPLOADED, tenant)).hasSize(2));
		}
	}

	@Test
	void eachUserOfTheTenantAddsThePerUserAllowanceOnce() throws IOException {
		UUID tenant = provision(Tier.SHARED);
		String t = token(tenant, "USER");
		JsonNode before = this.files.get(FILES + "/usage", t).json();
		assertThat(before.get("seats").asInt()).isZero();
		assertThat(before.get("quota").asLong()).isEqualTo(SHARED_QUOTA);
		assertThat(this.files.upload(t, file("full.bin", null, () -> GeneratedContent.of(8, SHARED_QUOTA))).status())
			.isEqualTo(201);
		assertProblem(this.files.upload(t, file("more.bin", null, () -> GeneratedContent.of(9, 300 * KIB))), 413);

		// A user joins; user.created is delivered twice.
		String id = UUID.randomUUID().toString();
		UserCreated user = new UserCreated(tenant, UUID.randomUUID(), "ada@example.com", "Ada", "USER");
		TestEvents.publish(Topics.USER, EventTypes.USER_CREATED, tenant, id, user);
		TestEvents.publish(Topics.USER, EventTypes.USER_CREATED, tenant, id, user);
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(
					() -> assertThat(this.files.get(FILES + "/usage", t).json().get("seats").asInt()).isEqualTo(1));
		await().during(Duration.ofSeconds(1))
			.atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(this.files.get(FILES + "/usage", t).json().get("quota").asLong())
				.isEqualTo(SHARED_QUOTA + SHARED_PER_USER));
		assertThat(this.files.upload(t, file("more.bin", null, () -> GeneratedContent.of(9, 300 * KIB))).status())
			.isEqualTo(201);
	}

	@Test
	void stopsReadingAnUploadOnceItPassesTheQuota() throws IOException {
		UUID tenant = provision(Tier.SHARED);
		String t = token(tenant, "USER");
		GeneratedContent huge = GeneratedContent.of(8, 4L * 1024 * MIB);

		Reply refused = this.files.upload(t, file("huge.bin", null, () -> huge));

		// The service answers while the client is still sending, and the answer arrives
		// whole.
		assertProblem(refused, 413);
		assertThat(refused.json().get("used").asLong()).isZero();
		assertThat(refused.json().get("limit").asLong()).isEqualTo(SHARED_QUOTA);
		// 4 GiB offered; the service stopped after the 1 MiB quota plus what the
		// connection's buffers and the container's discard allowance (2 MiB) take in.
		assertThat(huge.produced()).isLessThan(64 * MIB);
		assertThat(blobs(tenant)).isEmpty();
		assertThat(this.files.get(FILES + "/usage", t).json().get("bytes").asLong()).isZero();
	}

	@Test
	void concurrentUploadsRacingForTheLastBytesNeverPassTheQuota() throws Exception {
		UUID tenant = provision(Tier.SHARED);
		String t = token(tenant, "USER");
		idOf(this.files.upload(t, file("base.bin", null, () -> GeneratedContent.of(9, 900 * KIB))));
		// 124 KiB left: three of the four 40 KiB uploads fit, whatever the interleaving.
		// Each declares its length, so each reserves only that much of the quota (an
		// upload of unknown length reserves all that is left). Four: the tenant's
		// uploads in flight at most.
		int racers = 4;
		long each = 40 * KIB;
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(racers);
		try {
			List<Future<Reply>> replies = new ArrayList<>();
			for (int i = 0; i < racers; i++) {
				long seed = 100 + i;
				replies.add(pool.submit(() -> {
					start.await();
					return this.files.uploadWithLength(t,
							file("racer-" + seed, null, () -> GeneratedContent.of(seed, each)));
				}));
			}
			start.countDown();
			int created = 0;
			for (Future<Reply> reply : replies) {
				Reply r = reply.get();
				if (r.status() == 201) {
					created++;
				}
				else {
					assertProblem(r, 413);
				}
			}
			assertThat(created).isEqualTo(3);
		}
		finally {
			pool.shutdownNow();
		}
		JsonNode usage = this.files.get(FILES + "/usage", t).json();
		assertThat(usage.get("bytes").asLong()).isEqualTo(900 * KIB + 3 * each).isLessThanOrEqualTo(SHARED_QUOTA);
		assertThat(usage.get("files").asLong()).isEqualTo(4);
		assertThat(names(FILES + "?size=200", t)).hasSize(4);
		assertThat(blobs(tenant)).hasSize(4);
	}

	@ParameterizedTest
	@EnumSource(Tier.class)
	void anotherTenantCanNeitherDownloadListNorDelete(Tier tier) throws IOException {
		UUID a = provision(tier);
		UUID b = provision(tier);
		String tokenA = token(a, "USER");
		String tokenB = token(b, "USER");
		String idOfB = idOf(this.files.upload(tokenB, file("secret.txt", "text/plain",
				() -> new ByteArrayInputStream("B's secret".getBytes(StandardCharsets.UTF_8)))));

		assertProblem(this.files.get(FILES + "/" + idOfB, tokenA), 404);
		assertThat(this.files.download(FILES + "/" + idOfB + "/content", tokenA).status()).isEqualTo(404);
		assertProblem(this.files.delete(FILES + "/" + idOfB, tokenA), 404);
		assertThat(names(FILES + "?size=200", tokenA)).isEmpty();
		assertThat(this.files.get(FILES + "/usage", tokenA).json().get("files").asLong()).isZero();
		// Naming B in a header is forbidden to A's token.
		assertProblem(this.files.get(FILES + "/" + idOfB, tokenA, "X-Tenant-Id", b.toString()), 403);
		// A's blob directory never holds B's file, and B's file is intact.
		assertThat(blob(a, idOfB)).doesNotExist();
		Download own = this.files.download(FILES + "/" + idOfB + "/content", tokenB);
		assertThat(own.status()).isEqualTo(200);
		assertThat(own.sha256()).isEqualTo(
				GeneratedContent.sha256(new ByteArrayInputStream("B's secret".getBytes(StandardCharsets.UTF_8))));
		assertThat(names(FILES, tokenB)).containsExactly("secret.txt");
	}

	/**
	 * 50 MB made on the fly go through, and visibly as a stream: the client holds back
	 * the rest of the body until the blob store's unfinished write on the server already
	 * has megabytes of it. A service that buffered the body (in memory or in a spooled
	 * part) before writing the blob would never get there, and the upload would fail.
	 */
	@Test
	void streamsALargeUploadToTheBlobStoreWhileItArrives() throws IOException {
		UUID tenant = provision(Tier.DEDICATED);
		String t = token(tenant, "USER");
		long size = 50 * MIB;
		String sha256 = GeneratedContent.sha256(10, size);
		AtomicLong seenWhileSending = new AtomicLong(-1);
		GeneratedContent content = GeneratedContent.of(10, size, (produced) -> {
			if (produced >= 30 * MIB && seenWhileSending.get() < 0) {
				await().atMost(Duration.ofSeconds(60)).until(() -> unfinishedWriteBytes(tenant) >= 8 * MIB);
				try {
					seenWhileSending.set(unfinishedWriteBytes(tenant));
				}
				catch (IOException ex) {
					throw new java.io.UncheckedIOException(ex);
				}
			}
		});

		Reply created = this.files.upload(t, file("big.bin", "application/octet-stream", () -> content));

		assertThat(created.status()).as(created.body()).isEqualTo(201);
		assertThat(seenWhileSending.get()).isGreaterThanOrEqualTo(8 * MIB);
		assertThat(created.json().get("size").asLong()).isEqualTo(size);
		assertThat(created.json().get("sha256").asString()).isEqualTo(sha256);
		String id = idOf(created);
		assertThat(blob(tenant, id)).hasSize(size);
		Download download = this.files.download(FILES + "/" + id + "/content", t);
		assertThat(download.status()).isEqualTo(200);
		assertThat(download.bytes()).isEqualTo(size);
		assertThat(download.sha256()).isEqualTo(sha256);
		assertThat(download.header("Content-Length")).isEqualTo(Long.toString(size));
		assertThat(this.files.delete(FILES + "/" + id, t).status()).isEqualTo(204);
		assertThat(blob(tenant, id)).doesNotExist();
	}

	@Test
	void refusesASingleFileOverTheMaximumSize() throws IOException {
		UUID tenant = provision(Tier.ENTERPRISE);
		String t = token(tenant, "USER");
		// The ENTERPRISE quota (128 MiB) has room; the single-file maximum (56 MiB) has
		// not.
		Reply refused = this.files.upload(t,
				file("too-big.bin", null, () -> GeneratedContent.of(11, MAX_FILE_SIZE + 512 * KIB)));
		assertProblem(refused, 413);
		assertThat(refused.json().get("maxFileSize").asLong()).isEqualTo(MAX_FILE_SIZE);
		assertThat(blobs(tenant)).isEmpty();
		assertThat(this.files.get(FILES + "/usage", t).json().get("bytes").asLong()).isZero();
	}

	@Test
	void malformedInputIsAProblemNeverAServerError() throws IOException {
		UUID tenant = provision(Tier.DEDICATED);
		String t = token(tenant, "USER");
		String folderId = folder(t, "docs");
		FilesClient.Part ok = file("ok.txt", "text/plain", () -> GeneratedContent.of(12, 100));

		assertProblem(this.files.upload(t, "application/json", () -> utf8("{\"name\":\"x\"}")), 415);
		assertProblem(this.files.upload(t, "text/plain", () -> utf8("hello")), 415);
		assertProblem(this.files.upload(t, field("folderId", folderId)), 400);
		assertProblem(this.files.upload(t), 400);
		assertProblem(this.files.upload(t, new FilesClient.Part("file", null, "text/plain", () -> utf8("no name"))),
				400);
		assertProblem(this.files.upload(t, file("", "text/plain", () -> utf8("empty name"))), 400);
		assertProblem(this.files.upload(t, file("dir/", "text/plain", () -> utf8("a path, no name"))), 400);
		assertProblem(this.files.upload(t, file("   ", "text/plain", () -> utf8("blank name"))), 400);
		assertProblem(this.files.upload(t, file("n".repeat(256), "text/plain", () -> utf8("long name"))), 400);
		assertProblem(this.files.upload(t, file("tab\tname.txt", "text/plain", () -> utf8("control"))), 400);
		assertProblem(this.files.upload(t, file("a.txt", "not a media type", () -> utf8("x"))), 400);
		assertProblem(this.files.upload(t, file("a.txt", "text/*", () -> utf8("x"))), 400);
		assertProblem(this.files.upload(t, field("folderId", "not-a-uuid"), ok), 400);
		assertProblem(this.files.upload(t, field("folderId", "x".repeat(500)), ok), 400);
		assertProblem(this.files.upload(t, field("folderId", folderId), field("folderId", folderId), ok), 400);
		// An unknown folder, named before the file (refused before its bytes) or after.
		assertProblem(this.files.upload(t, field("folderId", UUID.randomUUID().toString()), ok), 404);
		assertProblem(this.files.upload(t, ok, field("folderId", UUID.randomUUID().toString())), 404);
		assertProblem(this.files.upload(t, ok, ok), 400);
		// Malformed multipart: no boundary, a body that never closes, garbage.
		assertProblem(this.files.upload(t, "multipart/form-data", () -> utf8("--x\r\n")), 400);
		assertProblem(
				this.files.upload(t, "multipart/form-data; boundary=b",
						() -> utf8(
								"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nno end")),
				400);
		assertProblem(this.files.upload(t, "multipart/form-data; boundary=b", () -> utf8("garbage")), 400);

		assertProblem(this.files.get(FILES + "/not-a-uuid", t), 400);
		assertProblem(this.files.get(FILES + "/not-a-uuid/content", t), 400);
		assertProblem(this.files.delete(FILES + "/not-a-uuid", t), 400);
		assertProblem(this.files.get(FILES + "/" + UUID.randomUUID(), t), 404);
		assertProblem(this.files.get(FILES + "/" + UUID.randomUUID() + "/content", t), 404);
		assertProblem(this.files.delete(FILES + "/" + UUID.randomUUID(), t), 404);
		assertProblem(this.files.get(FILES + "?page=-1", t), 400);
		assertProblem(this.files.get(FILES + "?size=0", t), 400);
		assertProblem(this.files.get(FILES + "?size=201", t), 400);
		assertProblem(this.files.get(FILES + "?folderId=abc", t), 400);
		assertProblem(this.files.get(FILES, null), 401);
		assertProblem(this.files.upload(null, ok), 401);
		assertProblem(this.files.get(FILES + "/usage", token(UUID.randomUUID(), "USER")), 404);
		assertProblem(this.files.upload(token(UUID.randomUUID(), "USER"), ok), 404);

		// Nothing of any refused upload was kept.
		assertThat(blobs(tenant)).isEmpty();
		assertThat(names(FILES, t)).isEmpty();
		assertThat(this.files.get(FILES + "/usage", t).json().get("bytes").asLong()).isZero();
		// The same parts, well-formed, go through.
		Reply filed = this.files.upload(t, ok, field("folderId", folderId));
		assertThat(filed.status()).as(filed.body()).isEqualTo(201);
		assertThat(filed.json().get("folderId").asString()).isEqualTo(folderId);
	}

	@Test
	void sweepRemovesOldBlobsWithoutMetadataOnly() throws IOException {
		UUID tenant = provision(Tier.SHARED);
		String t = token(tenant, "USER");
		String id = idOf(this.files.upload(t, file("kept.bin", null, () -> GeneratedContent.of(13, 2000))));
		Path dir = BLOB_ROOT.resolve(tenant.toString());
		Path orphan = Files.write(dir.resolve(UUID.randomUUID().toString()), new byte[] { 1, 2, 3 });
		Path unfinished = Files.write(dir.resolve(UUID.randomUUID() + "." + UUID.randomUUID() + ".part"),
				new byte[] { 4 });
		Path fresh = Files.write(dir.resolve(UUID.randomUUID().toString()), new byte[] { 5 });
		FileTime twoHoursAgo = FileTime.from(Instant.now().minus(Duration.ofHours(2)));
		for (Path old : List.of(orphan, unfinished, blob(tenant, id))) {
			Files.setLastModifiedTime(old, twoHoursAgo);
		}

		this.sweep.sweep(Instant.now().minus(Duration.ofHours(1)));

		assertThat(orphan).doesNotExist();
		assertThat(unfinished).doesNotExist();
		assertThat(fresh).exists();
		assertThat(blob(tenant, id)).hasSize(2000);
		assertThat(this.files.download(FILES + "/" + id + "/content", t).bytes()).isEqualTo(2000);
	}

	private String folder(String token, String name) {
		ApiClient.Response created = this.api.post("/api/v1/folders", token, "{\"name\":\"" + name + "\"}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return JSON.readTree(created.body()).get("id").asString();
	}

	private List<String> names(String path, String token) throws IOException {
		Reply page = this.files.get(path, token);
		assertThat(page.status()).as(page.body()).isEqualTo(200);
		return page.json().get("items").valueStream().map((f) -> f.get("name").asString()).toList();
	}

	private static String idOf(Reply created) {
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return created.json().get("id").asString();
	}

	private static void assertProblem(Reply reply, int status) {
		assertThat(reply.status()).as(reply.body()).isEqualTo(status);
		assertThat(reply.isProblem()).as(reply.headers().toString()).isTrue();
	}

	private static Path blob(UUID tenant, String id) {
		return BLOB_ROOT.resolve(tenant.toString()).resolve(id);
	}

	/** Everything in the tenant's blob directory, unfinished writes included. */
	private static List<Path> blobs(UUID tenant) throws IOException {
		Path dir = BLOB_ROOT.resolve(tenant.toString());
		if (!Files.isDirectory(dir)) {
			return List.of();
		}
		try (Stream<Path> entries = Files.list(dir)) {
			return entries.sorted().toList();
		}
	}

	private static long unfinishedWriteBytes(UUID tenant) throws IOException {
		long bytes = 0;
		for (Path p : blobs(tenant)) {
			if (p.getFileName().toString().endsWith(".part")) {
				bytes = Math.max(bytes, Files.size(p));
			}
		}
		return bytes;
	}

	private static InputStream utf8(String text) {
		return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
	}

}
