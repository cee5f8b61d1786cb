package io.tierflow.file;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.ApiClient.Response;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.fuzz.HostileInputs;
import io.tierflow.servicetest.fuzz.ServiceUnderFuzz;
import io.tierflow.tenancy.placement.Tier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import tools.jackson.databind.json.JsonMapper;

import static io.tierflow.servicetest.fuzz.HostileInputs.inPath;
import static io.tierflow.servicetest.fuzz.HostileInputs.inQuery;
import static io.tierflow.servicetest.fuzz.NoServerErrors.assertBelow500;
import static io.tierflow.servicetest.fuzz.NoServerErrors.assertNoServerError;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated requests for every endpoint, shaped after what it takes (a folder's JSON,
 * multipart uploads, ids, paging) but bent ({@link HostileInputs}): deep paths and long
 * names too, and multipart bodies of the wrong shape. Whatever comes in, the answer is
 * never a 5xx.
 */
class RequestFuzzIT {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	/** Strings past the body limit of every request but an upload's (64 KB). */
	private static final HostileInputs JSON = HostileInputs.json().withLongStrings(70_000, 70_000);

	private static ServiceUnderFuzz service;

	private static ApiClient api;

	private static String token;

	/** A folder and a file of the tenant, for requests that name existing ones. */
	private static String folder;

	private static String file;

	@BeforeContainer
	static void start() throws IOException {
		Path blobs = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "fuzz-blobs-");
		service = ServiceUnderFuzz.tenantDataService(FileServiceApplication.class, "file", "filefuzz",
				"--tierflow.files.blob-root=" + blobs,
				"--tierflow.mover.archives=" + blobs.resolveSibling(blobs.getFileName() + "-archives"));
		api = service.api();
		token = ServiceTestInfrastructure.token(service.provision(Tier.SHARED), "USER");
		Response created = api.post("/api/v1/folders", token, "{\"name\": \"fuzz\"}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		folder = MAPPER.readTree(created.body()).get("id").asString();
		String boundary = "b";
		Response uploaded = upload("multipart/form-data; boundary=" + boundary,
				multipart(boundary, List.of(new Part("file", "\"seed.txt\"", "text/plain", "seed"))));
		assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(201);
		file = MAPPER.readTree(uploaded.body()).get("id").asString();
	}

	@AfterContainer
	static void stop() {
		if (service != null) {
			service.close();
		}
	}

	@Property(tries = 120)
	void creatingAFolderIsNeverAServerError(@ForAll("folders") String body) {
		Response response = api.post("/api/v1/folders", token, body);
		Statistics.collect(response.status());
		assertNoServerError(response, body);
	}

	@Property(tries = 120)
	void uploadingIsNeverAServerError(@ForAll("uploads") Upload upload) {
		Response response = upload(upload.contentType(), upload.body());
		// Shown in the report: the uploads should reach every answer, 201 included.
		Statistics.collect(response.status());
		assertNoServerError(response, upload.toString());
	}

	@Property(tries = 60)
	void readingByIdOrPageIsNeverAServerError(@ForAll("texts") String id, @ForAll("texts") String page) {
		String encodedId = inPath(id);
		String encodedPage = inQuery(page);
		assertBelow500(api.get("/api/v1/folders/" + encodedId, token), id);
		assertBelow500(api.get("/api/v1/files/" + encodedId, token), id);
		assertBelow500(api.get("/api/v1/files/" + encodedId + "/content", token), id);
		assertBelow500(api.delete("/api/v1/files/" + encodedId, token), id);
		assertNoServerError(api.get("/api/v1/folders?page=" + encodedPage + "&size=" + encodedPage, token), page);
		assertNoServerError(api.get("/api/v1/files?page=" + encodedPage + "&size=" + encodedPage, token), page);
		assertNoServerError(api.get("/api/v1/files?folderId=" + encodedId + "&page=" + encodedPage, token), id);
		assertNoServerError(api.get("/api/v1/files/usage?page=" + encodedPage, token), page);
	}

	@Provide
	Arbitrary<String> folders() {
		return Arbitraries.oneOf(
				Combinators
					.combine(Arbitraries.oneOf(names().map(HostileInputs::quote), JSON.values()),
							Arbitraries.oneOf(JSON.strings(), JSON.values()))
					.as((name, description) -> "{\"name\": " + name + ", \"description\": " + description + "}"),
				JSON.values(), HostileInputs.brokenJson("name"));
	}

	@Provide
	Arbitrary<Upload> uploads() {
		Arbitrary<String> boundary = Arbitraries.oneOf(Arbitraries.of("b", "----x", "a b", "\"q\"", ""),
				Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(80));
		Arbitrary<Part> filePart = Combinators
			.combine(Arbitraries.of("file", "file", "file", "File", "", "folderId", "f\u0000"),
					Arbitraries.oneOf(names().map(RequestFuzzIT::headerQuote), Arbitraries.of("", "x", "\"", "\"a")),
					Arbitraries.oneOf(
							Arbitraries.of("text/plain", "application/pdf", "text/*", "*/*", "x", ";;",
									"text/plain; charset=\u00e9", "a/b/c"),
							Arbitraries.strings().ofMaxLength(40), Arbitraries.just((String) null)),
					Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(200),
							Arbitraries.integers().between(0, 300_000).map("z"::repeat)))
			.as(Part::new);
		Arbitrary<Part> folderPart = Arbitraries
			.oneOf(Arbitraries.of(folder, UUID.randomUUID().toString(), "", " ", "null", "-1", "\u0000",
					"99999999999999999999", folder + folder), Arbitraries.strings().ofMaxLength(300))
			.map((value) -> new Part("folderId", null, null, value));
		Arbitrary<Part> otherPart = Arbitraries.strings()
			.ofMaxLength(30)
			.map((name) -> new Part(name, null, "text/plain", "other"));
		Arbitrary<List<Part>> parts = Arbitraries.frequencyOf(
				Tuple.of(6, Arbitraries.oneOf(filePart, folderPart, otherPart).list().ofMaxSize(4)),
				Tuple.of(1, otherPart.list().ofMinSize(15).ofMaxSize(20)));
		Arbitrary<Upload> wellFramed = Combinators.combine(boundary, parts)
			.as((b, p) -> new Upload("multipart/form-data; boundary=" + b, multipart(b, p), p.toString()));
		Arbitrary<Upload> misFramed = Combinators
			.combine(
					Arbitraries.of("multipart/form-data", "multipart/form-data; boundary=",
							"multipart/mixed; boundary=b", "multipart/form-data; boundary=b",
							"multipart/form-data; boundary=b; charset=x", "application/json", "text/plain",
							"application/octet-stream", "multipart/form-data;;;"),
					Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(300), Arbitraries.of("--b\r\n", "--b--\r\n",
							"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--",
							"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nno end",
							"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\r\n\r\nx\r\n--b--\r\n",
							"--b\r\n" + "X-H: v\r\n".repeat(2000) + "\r\nx\r\n--b--\r\n", "{\"file\": 1}")))
			.as((type, body) -> new Upload(type, body.getBytes(StandardCharsets.UTF_8), body));
		return Arbitraries.oneOf(wellFramed, wellFramed, misFramed);
	}

	@Provide
	Arbitrary<String> texts() {
		return Arbitraries.oneOf(HostileInputs.texts("usage", "a/b/c/d/e/f", "x".repeat(3000)),
				Arbitraries.of(folder, file));
	}

	/** File and folder names: deep paths, long ones, unicode, NUL and other controls. */
	private Arbitrary<String> names() {
		return Arbitraries.oneOf(Arbitraries.strings().ofMinLength(1).ofMaxLength(30),
				Arbitraries.strings().all().ofMaxLength(20),
				Arbitraries.integers().between(1, 200).map((depth) -> "../a/".repeat(depth) + "f.txt"),
				Arbitraries.integers().between(90, 1000).map("n"::repeat), Arbitraries.of("a", "é😀.pdf",
						"C:\\Users\\x\\f.txt", "dir/", "  ", "a\u0000b", "\u202Etxt.exe", "\ud800", "con", ".", ".."));
	}

	private static Response upload(String contentType, byte[] body) {
		return service.send("POST", "/api/v1/files", token, contentType, HttpRequest.BodyPublishers.ofByteArray(body));
	}

	/** A multipart body of the parts, their headers written as UTF-8 and not escaped. */
	private static byte[] multipart(String boundary, List<Part> parts) {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		for (Part part : parts) {
			StringBuilder head = new StringBuilder("--").append(boundary).append("\r\n");
			head.append("Content-Disposition: form-data; name=\"").append(part.name()).append('"');
			if (part.fileName() != null) {
				head.append("; filename=").append(part.fileName());
			}
			head.append("\r\n");
			if (part.contentType() != null) {
				head.append("Content-Type: ").append(part.contentType()).append("\r\n");
			}
			head.append("\r\n").append(part.content()).append("\r\n");
			body.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
		}
		body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
		return body.toByteArray();
	}

	/** A quoted header parameter as clients write it: quotes escaped, nothing else. */
	private static String headerQuote(String text) {
		return "\"" + text.replace("\"", "\\\"") + "\"";
	}

	/** A part of a multipart body; a file part has a (quoted) file name. */
	record Part(String name, String fileName, String contentType, String content) {

		@Override
		public String toString() {
			String shown = (this.content.length() > 60) ? this.content.substring(0, 60) + "…" : this.content;
			return "Part[name=" + this.name + ", fileName=" + this.fileName + ", contentType=" + this.contentType
					+ ", content=" + shown + "]";
		}

	}

	/** An upload request: its content type and body. */
	record Upload(String contentType, byte[] body, String shown) {

		@Override
		public String toString() {
			String text = (this.shown.length() > 400) ? this.shown.substring(0, 400) + "…" : this.shown;
			return "Upload[" + this.contentType + ", " + this.body.length + " bytes: " + text + "]";
		}

	}

}
