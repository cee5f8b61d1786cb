package io.tierflow.file.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Uploads and downloads as a client sends and receives them: multipart bodies streamed
 * from generated content (never held whole), downloads read through a digest.
 */
final class FilesClient {

	static final String FILES = "/api/v1/files";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	private final String base;

	FilesClient(int port) {
		this.base = "http://localhost:" + port;
	}

	/** A multipart/form-data upload of the parts, streamed with chunked encoding. */
	Reply upload(String token, Part... parts) throws IOException {
		String boundary = "tierflow-" + UUID.randomUUID();
		return upload(token, "multipart/form-data; boundary=" + boundary, () -> body(boundary, parts));
	}

	/**
	 * A multipart/form-data upload of the parts with a declared {@code Content-Length}:
	 * the body is made whole first, so for small parts only.
	 */
	Reply uploadWithLength(String token, Part... parts) throws IOException {
		String boundary = "tierflow-" + UUID.randomUUID();
		byte[] body;
		try (InputStream in = body(boundary, parts)) {
			body = in.readAllBytes();
		}
		return send(request(FILES, token).header("Content-Type", "multipart/form-data; boundary=" + boundary)
			.POST(HttpRequest.BodyPublishers.ofByteArray(body))
			.build());
	}

	/** An upload with a raw body and content type, for malformed requests. */
	Reply upload(String token, String contentType, Supplier<InputStream> body) throws IOException {
		HttpRequest.Builder request = request(FILES, token).header("Content-Type", contentType)
			.POST(HttpRequest.BodyPublishers.ofInputStream(body));
		return send(request.build());
	}

	Reply get(String path, String token, String... headers) throws IOException {
		return send(request(path, token, headers).GET().build());
	}

	Reply delete(String path, String token) throws IOException {
		return send(request(path, token).DELETE().build());
	}

	/** Downloads through a digest: status, headers, SHA-256 and length of the body. */
	Download download(String path, String token, String... headers) throws IOException {
		try {
			HttpResponse<InputStream> r = this.http.send(request(path, token, headers).GET().build(),
					HttpResponse.BodyHandlers.ofInputStream());
			CountingStream body = new CountingStream(r.body());
			String sha256 = GeneratedContent.sha256(body);
			return new Download(r.statusCode(), r.headers(), sha256, body.count);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException(ex);
		}
	}

	static Part file(String fileName, String contentType, Supplier<InputStream> content) {
		return new Part(FileController.FILE_PART, fileName, contentType, content);
	}

	static Part field(String name, String value) {
		return new Part(name, null, null, () -> new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8)));
	}

	private static InputStream body(String boundary, Part... parts) {
		List<InputStream> pieces = new ArrayList<>();
		for (Part part : parts) {
			StringBuilder head = new StringBuilder("--").append(boundary).append("\r\n");
			head.append("Content-Disposition: form-data; name=\"").append(part.name()).append('"');
			if (part.fileName() != null) {
				head.append("; filename=\"").append(part.fileName()).append('"');
			}
			head.append("\r\n");
			if (part.contentType() != null) {
				head.append("Content-Type: ").append(part.contentType()).append("\r\n");
			}
			head.append("\r\n");
			pieces.add(utf8(head.toString()));
			pieces.add(part.content().get());
			pieces.add(utf8("\r\n"));
		}
		pieces.add(utf8("--" + boundary + "--\r\n"));
		return new SequenceInputStream(Collections.enumeration(pieces));
	}

	private static InputStream utf8(String text) {
		return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
	}

	private HttpRequest.Builder request(String path, String token, String... headers) {
		HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(this.base + path)).timeout(Duration.ofSeconds(120));
		if (token != null) {
			b.header("Authorization", "Bearer " + token);
		}
		for (int i = 0; i + 1 < headers.length; i += 2) {
			b.header(headers[i], headers[i + 1]);
		}
		return b;
	}

	private Reply send(HttpRequest request) throws IOException {
		try {
			HttpResponse<String> r = this.http.send(request, HttpResponse.BodyHandlers.ofString());
			return new Reply(r.statusCode(), r.headers(), r.body());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException(ex);
		}
	}

	/** One part of a multipart body; a file part has a file name. */
	record Part(String name, String fileName, String contentType, Supplier<InputStream> content) {
	}

	/** Status, headers and body of a response. */
	record Reply(int status, HttpHeaders headers, String body) {

		boolean isProblem() {
			return this.headers.firstValue("Content-Type").orElse("").startsWith("application/problem+json");
		}

		JsonNode json() {
			try {
				return JSON.readTree(this.body);
			}
			catch (RuntimeException ex) {
				throw new UncheckedIOException(new IOException("Not JSON: " + this.body, ex));
			}
		}

	}

	/** A downloaded body, seen through its digest. */
	record Download(int status, HttpHeaders headers, String sha256, long bytes) {

		String header(String name) {
			return this.headers.firstValue(name).orElse(null);
		}

	}

	private static final class CountingStream extends java.io.FilterInputStream {

		private long count;

		CountingStream(InputStream in) {
			super(in);
		}

		@Override
		public int read(byte[] b, int off, int len) throws IOException {
			int n = super.read(b, off, len);
			if (n > 0) {
				this.count += n;
			}
			return n;
		}

	}

}
