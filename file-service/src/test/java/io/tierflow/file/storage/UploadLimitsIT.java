package io.tierflow.file.storage;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import io.tierflow.file.RunningFileService;
import io.tierflow.file.storage.FilesClient.Reply;
import io.tierflow.tenancy.placement.Tier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;

import static io.tierflow.file.storage.FilesClient.FILES;
import static io.tierflow.file.storage.FilesClient.file;
import static io.tierflow.servicetest.ServiceTestInfrastructure.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every request's cost is bounded: uploads in flight per tenant, the quota reserved by
 * uploads still being written, JSON bodies.
 */
class UploadLimitsIT extends RunningFileService {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final long KIB = 1024;

	/** {@code tierflow.files.max-concurrent-uploads-per-tenant}, by default. */
	private static final int MAX_UPLOADS = 4;

	@Autowired
	UploadAdmission admission;

	FilesClient files;

	@BeforeEach
	void filesClient() {
		this.files = new FilesClient(this.port);
	}

	@Test
	void refusesOneUploadMoreThanTheTenantMayHaveInFlightUnreadAndFreesTheSlotAfter() throws Exception {
		UUID tenant = provision(Tier.DEDICATED);
		String t = token(tenant, "USER");
		List<HeldUpload> held = new ArrayList<>();
		try {
			for (int i = 0; i < MAX_UPLOADS; i++) {
				held.add(HeldUpload.start(this.port, t, 512 * KIB, 64 * KIB));
			}
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(this.admission.slotsTaken(tenant)).isEqualTo(MAX_UPLOADS));

			// Headers only: the answer comes without a byte of the body sent.
			HeldUpload refused = HeldUpload.start(this.port, t, 10 * 1024 * KIB, 0);
			RawResponse tooMany = refused.response();
			refused.abort();
			assertThat(tooMany.status()).as(tooMany.body()).isEqualTo(429);
			assertThat(tooMany.header("Retry-After")).isEqualTo("5");
			assertThat(tooMany.header("Content-Type")).startsWith("application/problem+json");
			assertThat(JSON.readTree(tooMany.body()).get("maxConcurrentUploads").asInt()).isEqualTo(MAX_UPLOADS);
			// The same through an ordinary client, streaming its body.
			Reply alsoRefused = this.files.upload(t, file("fifth.bin", null, () -> GeneratedContent.of(1, 300 * KIB)));
			assertThat(alsoRefused.status()).as(alsoRefused.body()).isEqualTo(429);
			assertThat(alsoRefused.isProblem()).isTrue();
			// Another tenant is not held up.
			String other = token(provision(Tier.DEDICATED), "USER");
			assertThat(this.files.upload(other, file("other.bin", null, () -> GeneratedContent.of(2, 1000))).status())
				.isEqualTo(201);

			// One finishes: its slot is free for the next.
			HeldUpload first = held.remove(0);
			RawResponse created = first.finish();
			assertThat(created.status()).as(created.body()).isEqualTo(201);
			assertThat(this.admission.slotsTaken(tenant)).isEqualTo(MAX_UPLOADS - 1);
			assertThat(this.files.upload(t, file("next.bin", null, () -> GeneratedContent.of(3, 1000))).status())
				.isEqualTo(201);
			// One is aborted: its slot is free too.
			held.remove(0).abort();
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(this.admission.slotsTaken(tenant)).isEqualTo(MAX_UPLOADS - 2));
		}
		finally {
			held.forEach(HeldUpload::abort);
		}
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			assertThat(this.admission.slotsTaken(tenant)).isZero();
			assertThat(this.admission.reservedBytes(tenant)).isZero();
		});
		assertThat(this.files.get(FILES + "/usage", t).json().get("files").asLong()).isEqualTo(2);
	}

	@Test
	void anUploadInFlightHoldsItsShareOfTheQuotaUntilItCommits() throws Exception {
		UUID tenant = provision(Tier.SHARED);
		String t = token(tenant, "USER");
		long size = 600 * KIB;
		try (HeldUpload first = HeldUpload.start(this.port, t, size, 100 * KIB)) {
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(this.admission.reservedBytes(tenant)).isGreaterThan(size));

			// 600 KiB + 600 KiB > 1 MiB: the second is refused while the first is still
			// being written, though nothing is stored yet.
			Reply second = this.files.uploadWithLength(t, file("second.bin", null, () -> GeneratedContent.of(4, size)));
			assertThat(second.status()).as(second.body()).isEqualTo(413);
			assertThat(second.isProblem()).isTrue();
			assertThat(second.json().get("used").asLong()).isZero();
			assertThat(second.json().get("reserved").asLong()).isGreaterThan(size);
			assertThat(second.json().get("limit").asLong()).isEqualTo(SHARED_QUOTA);

			RawResponse created = first.finish();
			assertThat(created.status()).as(created.body()).isEqualTo(201);
		}
		assertThat(this.admission.reservedBytes(tenant)).isZero();
		JsonNode usage = this.files.get(FILES + "/usage", t).json();
		assertThat(usage.get("bytes").asLong()).isEqualTo(size);
		assertThat(blobs(tenant)).hasSize(1);
	}

	@Test
	void concurrentUploadsWhoseSumExceedsTheQuotaNeverPassIt() throws Exception {
		UUID tenant = provision(Tier.SHARED);
		String t = token(tenant, "USER");
		// Four uploads of 400 KiB into 1 MiB: two fit at most. Half declare their
		// length, half stream with unknown length.
		long each = 400 * KIB;
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(MAX_UPLOADS);
		int created = 0;
		try {
			List<Future<Reply>> replies = new ArrayList<>();
			for (int i = 0; i < MAX_UPLOADS; i++) {
				long seed = 20 + i;
				boolean declared = i % 2 == 0;
				replies.add(pool.submit(() -> {
					start.await();
					FilesClient.Part part = file("racer-" + seed, null, () -> GeneratedContent.of(seed, each));
					return declared ? this.files.uploadWithLength(t, part) : this.files.upload(t, part);
				}));
			}
			start.countDown();
			for (Future<Reply> reply : replies) {
				Reply r = reply.get();
				if (r.status() == 201) {
					created++;
				}
				else {
					assertThat(r.status()).as(r.body()).isEqualTo(413);
					assertThat(r.isProblem()).isTrue();
				}
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(created).isBetween(1, 2);
		JsonNode usage = this.files.get(FILES + "/usage", t).json();
		assertThat(usage.get("bytes").asLong()).isEqualTo(created * each).isLessThanOrEqualTo(SHARED_QUOTA);
		assertThat(blobs(tenant)).hasSize(created);
		assertThat(this.admission.reservedBytes(tenant)).isZero();
		assertThat(this.admission.slotsTaken(tenant)).isZero();
	}

	@Test
	void anAbortedUploadFreesItsSlotAndReservation() throws Exception {
		UUID tenant = provision(Tier.SHARED);
		String t = token(tenant, "USER");
		HeldUpload aborted = HeldUpload.start(this.port, t, 900 * KIB, 300 * KIB);
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			assertThat(this.admission.slotsTaken(tenant)).isEqualTo(1);
			assertThat(this.admission.reservedBytes(tenant)).isGreaterThan(900 * KIB);
		});
		assertThat(this.files.upload(t, file("meanwhile.bin", null, () -> GeneratedContent.of(5, 300 * KIB))).status())
			.isEqualTo(413);

		aborted.abort();

		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			assertThat(this.admission.slotsTaken(tenant)).isZero();
			assertThat(this.admission.reservedBytes(tenant)).isZero();
		});
		// The whole quota is free again, and nothing of the aborted upload is left.
		Reply full = this.files.upload(t, file("full.bin", null, () -> GeneratedContent.of(6, SHARED_QUOTA)));
		assertThat(full.status()).as(full.body()).isEqualTo(201);
		assertThat(blobs(tenant)).hasSize(1);
	}

	@Test
	void refusesAnOversizedJsonBodyWith413ButNotAnUpload() throws Exception {
		UUID tenant = provision(Tier.DEDICATED);
		String t = token(tenant, "USER");
		String oversized = "{\"name\": \"big\", \"description\": \"" + "x".repeat(70 * 1024) + "\"}";
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

		// Declared length: refused unread, whoever sends it.
		assertOversized(this.api.post("/api/v1/folders", t, oversized));
		assertOversized(this.api.post("/api/v1/folders", null, oversized));
		// Unknown length (chunked): read to one byte past the limit, then refused.
		HttpResponse<String> chunked = http
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/api/v1/folders"))
				.header("Authorization", "Bearer " + t)
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers
					.ofInputStream(() -> new java.io.ByteArrayInputStream(oversized.getBytes(StandardCharsets.UTF_8))))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(chunked.statusCode()).as(chunked.body()).isEqualTo(413);
		assertThat(chunked.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/problem+json"));
		// Within the limit, the folder's own validation answers.
		String tooLongName = "{\"name\": \"" + "n".repeat(1000) + "\"}";
		assertThat(this.api.post("/api/v1/folders", t, tooLongName).status()).isEqualTo(400);
		assertThat(this.api.post("/api/v1/folders", t, "{\"name\": \"small\"}").status()).isEqualTo(201);

		// An upload is bounded by the quota, not by the JSON limit.
		Reply upload = this.files.uploadWithLength(t, file("big.bin", null, () -> GeneratedContent.of(7, 300 * KIB)));
		assertThat(upload.status()).as(upload.body()).isEqualTo(201);
	}

	private static void assertOversized(io.tierflow.servicetest.ApiClient.Response response) {
		assertThat(response.status()).as(response.body()).isEqualTo(413);
		assertThat(response.isProblem()).isTrue();
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

	/**
	 * An upload over a plain socket, sent in two halves: started with a declared length
	 * and part of the file, then finished or aborted (the connection reset) at will.
	 */
	private static final class HeldUpload implements AutoCloseable {

		private static final String BOUNDARY = "held-upload";

		private final Socket socket;

		private final GeneratedContent content;

		private final long size;

		private HeldUpload(Socket socket, GeneratedContent content, long size) {
			this.socket = socket;
			this.content = content;
			this.size = size;
		}

		/**
		 * Sends the headers, declaring a file of {@code size}, and {@code sent} bytes.
		 */
		static HeldUpload start(int port, String token, long size, long sent) throws IOException {
			byte[] head = ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"held.bin\""
					+ "\r\nContent-Type: application/octet-stream\r\n\r\n")
				.getBytes(StandardCharsets.UTF_8);
			long length = head.length + size + tail().length;
			Socket socket = new Socket("localhost", port);
			socket.setSoTimeout(30_000);
			OutputStream out = socket.getOutputStream();
			out.write(("POST " + FILES + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
					+ "\r\nContent-Type: multipart/form-data; boundary=" + BOUNDARY + "\r\nContent-Length: " + length
					+ "\r\n\r\n")
				.getBytes(StandardCharsets.ISO_8859_1));
			HeldUpload upload = new HeldUpload(socket, GeneratedContent.of(size, size), size);
			if (sent > 0) {
				out.write(head);
				upload.send(sent);
			}
			out.flush();
			return upload;
		}

		/** Sends the rest of the body and reads the response. */
		RawResponse finish() throws IOException {
			if (this.content.produced() == 0) {
				throw new IllegalStateException("Started without the part's head");
			}
			send(this.size - this.content.produced());
			this.socket.getOutputStream().write(tail());
			this.socket.getOutputStream().flush();
			return response();
		}

		RawResponse response() throws IOException {
			return RawResponse.read(new BufferedInputStream(this.socket.getInputStream()));
		}

		/** Resets the connection mid-body, as a client that goes away does. */
		void abort() {
			try {
				this.socket.setSoLinger(true, 0);
				this.socket.close();
			}
			catch (IOException ex) {
				// Gone already.
			}
		}

		@Override
		public void close() {
			abort();
		}

		private void send(long bytes) throws IOException {
			byte[] buffer = new byte[16 * 1024];
			long left = bytes;
			while (left > 0) {
				int n = this.content.read(buffer, 0, (int) Math.min(buffer.length, left));
				this.socket.getOutputStream().write(buffer, 0, n);
				left -= n;
			}
		}

		private static byte[] tail() {
			return ("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8);
		}

	}

	/** A response read off a socket: status, headers (lower-case names), body. */
	private record RawResponse(int status, Map<String, String> headers, String body) {

		String header(String name) {
			return this.headers.get(name.toLowerCase(Locale.ROOT));
		}

		static RawResponse read(InputStream in) throws IOException {
			String statusLine = line(in);
			int status = Integer.parseInt(statusLine.split(" ")[1]);
			Map<String, String> headers = new LinkedHashMap<>();
			for (String line; !(line = line(in)).isEmpty();) {
				int colon = line.indexOf(':');
				headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
						line.substring(colon + 1).strip());
			}
			ByteArrayOutputStream body = new ByteArrayOutputStream();
			String length = headers.get("content-length");
			if (length != null) {
				body.write(in.readNBytes(Integer.parseInt(length)));
			}
			else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
				for (int size; (size = Integer.parseInt(line(in).split(";")[0].strip(), 16)) > 0;) {
					body.write(in.readNBytes(size));
					line(in);
				}
			}
			return new RawResponse(status, headers, body.toString(StandardCharsets.UTF_8));
		}

		private static String line(InputStream in) throws IOException {
			ByteArrayOutputStream line = new ByteArrayOutputStream();
			for (int b; (b = in.read()) != -1 && b != '\n';) {
				if (b != '\r') {
					line.write(b);
				}
			}
			return line.toString(StandardCharsets.ISO_8859_1);
		}

	}

}
