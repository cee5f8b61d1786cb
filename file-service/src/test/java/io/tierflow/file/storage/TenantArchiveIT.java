package io.tierflow.file.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.tenant.TenantExportRequested;
import io.tierflow.events.tenant.TenantImportRequested;
import io.tierflow.file.RunningFileService;
import io.tierflow.file.storage.FilesClient.Download;
import io.tierflow.file.storage.FilesClient.Reply;
import io.tierflow.mover.ArchiveManifest;
import io.tierflow.servicetest.TestEvents;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.testsupport.TenantTraces;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static io.tierflow.file.storage.FilesClient.FILES;
import static io.tierflow.file.storage.FilesClient.file;
import static io.tierflow.servicetest.ServiceTestInfrastructure.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A tenant's files through an export and an import, over Kafka as the tenant-service asks
 * for them: the imported tenant downloads the same bytes under the same names, and an
 * archive whose blob was altered, or that names a blob outside the tenant, is refused
 * with nothing left behind.
 */
class TenantArchiveIT extends RunningFileService {

	private static final Duration WAIT = Duration.ofSeconds(120);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	FilesClient files;

	@BeforeEach
	void filesClient() {
		this.files = new FilesClient(this.port);
	}

	@Test
	void anImportedTenantDownloadsTheSameBytesUnderTheSameNamesAndTheSourceIsUntouched() throws IOException {
		UUID source = provision(Tier.SHARED);
		String s = token(source, "USER");
		String a = upload(s, "a.bin", 41, 3000);
		String b = upload(s, "b.bin", 42, 200 * 1024 + 5);
		UUID export = UUID.randomUUID();
		UUID imported = UUID.randomUUID();

		JsonNode exported;
		JsonNode loaded;
		try (TestEvents.Reader replies = TestEvents.read(Topics.TENANT_REPLIES)) {
			exported = export(replies, source, export);
			assertThat(exported.get("succeeded").asBoolean()).as(exported.toString()).isTrue();
			assertThat(exported.get("tables").get("file").get("rows").asLong()).isEqualTo(2);
			loaded = importAs(replies, imported, export, source);
		}

		assertThat(loaded.get("succeeded").asBoolean()).as(loaded.toString()).isTrue();
		assertThat(loaded.get("isolation").asString()).isEqualTo("DATABASE");
		assertThat(loaded.get("tables").get("file")).isEqualTo(exported.get("tables").get("file"));
		String i = token(imported, "USER");
		assertThat(names(i)).containsExactlyInAnyOrder("a.bin", "b.bin");
		assertSameFile(i, a, 41, 3000);
		assertSameFile(i, b, 42, 200 * 1024 + 5);
		try (var blobs = Files.list(BLOB_ROOT.resolve(imported.toString()))) {
			assertThat(blobs.map((p) -> p.getFileName().toString())).containsExactlyInAnyOrder(a, b);
		}
		// The source tenant keeps its files, and the two no longer share anything.
		assertThat(names(s)).containsExactlyInAnyOrder("a.bin", "b.bin");
		assertSameFile(s, a, 41, 3000);
		// (a tenant admin's: the file was uploaded by another user, of the source tenant)
		assertThat(this.files.delete(FILES + "/" + a, token(imported, "TENANT_ADMIN")).status()).isEqualTo(204);
		assertSameFile(s, a, 41, 3000);
	}

	@Test
	void anArchiveWithAnAlteredBlobIsRefusedNamingItAndLeavesNothingBehind() throws IOException {
		UUID source = provision(Tier.SHARED);
		String s = token(source, "USER");
		upload(s, "kept.bin", 51, 1000);
		String victim = upload(s, "altered.bin", 52, 2000);
		UUID export = UUID.randomUUID();
		UUID imported = UUID.randomUUID();

		JsonNode refused;
		try (TestEvents.Reader replies = TestEvents.read(Topics.TENANT_REPLIES)) {
			JsonNode exported = export(replies, source, export);
			assertThat(exported.get("succeeded").asBoolean()).as(exported.toString()).isTrue();
			// One byte of one blob changed; the manifest, with the blob's SHA-256, left
			// as it was.
			rewrite(part(export), (name, bytes) -> {
				if (name.equals("blobs/" + victim)) {
					bytes[bytes.length / 2] ^= 1;
				}
				return bytes;
			});
			refused = importAs(replies, imported, export, source);
		}

		assertThat(refused.get("succeeded").asBoolean()).as(refused.toString()).isFalse();
		assertThat(refused.get("table").asString()).isEqualTo("blobs/" + victim);
		assertThat(refused.get("reason").asString()).contains("blobs/" + victim);
		assertNothingLeftOf(imported);
		assertSameFile(s, victim, 52, 2000);
	}

	@Test
	void anArchiveNamingABlobOutsideTheTenantIsRefusedAfterItsRowsLoadedAndLeavesNothingBehind() throws IOException {
		UUID source = provision(Tier.SHARED);
		upload(token(source, "USER"), "one.bin", 61, 500);
		UUID export = UUID.randomUUID();
		UUID imported = UUID.randomUUID();
		byte[] planted = "not a blob".getBytes(StandardCharsets.UTF_8);
		String escape = "blobs/../" + source;

		JsonNode refused;
		try (TestEvents.Reader replies = TestEvents.read(Topics.TENANT_REPLIES)) {
			JsonNode exported = export(replies, source, export);
			assertThat(exported.get("succeeded").asBoolean()).as(exported.toString()).isTrue();
			// A consistent archive (the manifest lists the extra entry with its SHA-256)
			// whose only fault is a name that would leave the tenant's directory.
			rewrite(part(export),
					(name, bytes) -> name.equals(ArchiveManifest.NAME) ? withEntry(bytes, escape, planted) : bytes);
			addEntry(part(export), escape, planted);
			refused = importAs(replies, imported, export, source);
		}

		assertThat(refused.get("succeeded").asBoolean()).as(refused.toString()).isFalse();
		assertThat(refused.get("reason").asString()).contains("not named by a file id");
		assertNothingLeftOf(imported);
		assertThat(BLOB_ROOT.resolve(source.toString())).isDirectory();
		assertThat(names(token(source, "USER"))).containsExactly("one.bin");
	}

	private void assertNothingLeftOf(UUID tenant) {
		assertThat(this.provisioner.find(tenant)).isEmpty();
		assertThat(BLOB_ROOT.resolve(tenant.toString())).doesNotExist();
		assertThat(TenantTraces.inFiles(BLOB_ROOT, tenant)).isEmpty();
		// The control database keeps the import's job and its answer; no cluster keeps
		// a row, schema or database of the tenant.
		assertThat(TenantTraces.inDatabases(TestPostgres.get(), tenant, List.of("fileit_")))
			.allMatch((t) -> t.startsWith("fileit_control."));
	}

	private void assertSameFile(String token, String id, long seed, long size) throws IOException {
		Download content = this.files.download(FILES + "/" + id + "/content", token);
		assertThat(content.status()).isEqualTo(200);
		assertThat(content.bytes()).isEqualTo(size);
		assertThat(content.sha256()).isEqualTo(GeneratedContent.sha256(seed, size));
		Reply metadata = this.files.get(FILES + "/" + id, token);
		assertThat(metadata.status()).isEqualTo(200);
		assertThat(metadata.json().get("sha256").asString()).isEqualTo(content.sha256());
	}

	private String upload(String token, String name, long seed, long size) throws IOException {
		Reply created = this.files.upload(token, file(name, null, () -> GeneratedContent.of(seed, size)));
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return created.json().get("id").asString();
	}

	private List<String> names(String token) throws IOException {
		Reply page = this.files.get(FILES, token);
		assertThat(page.status()).as(page.body()).isEqualTo(200);
		return page.json().get("items").valueStream().map((f) -> f.get("name").asString()).toList();
	}

	private static JsonNode export(TestEvents.Reader replies, UUID tenant, UUID export) {
		TestEvents.publish(Topics.TENANT, EventTypes.TENANT_EXPORT_REQUESTED, tenant, export.toString(),
				new TenantExportRequested(tenant, export));
		return awaitReply(replies, EventTypes.TENANT_EXPORTED, tenant);
	}

	private static JsonNode importAs(TestEvents.Reader replies, UUID tenant, UUID archive, UUID source) {
		UUID importId = UUID.randomUUID();
		TestEvents.publish(Topics.TENANT, EventTypes.TENANT_IMPORT_REQUESTED, tenant, importId.toString(),
				new TenantImportRequested(tenant, importId, archive, source, Tier.ENTERPRISE, "eu"));
		return awaitReply(replies, EventTypes.TENANT_IMPORTED, tenant);
	}

	private static JsonNode awaitReply(TestEvents.Reader replies, String type, UUID tenant) {
		await().atMost(WAIT)
			.pollInterval(Duration.ofMillis(200))
			.untilAsserted(() -> assertThat(replies.data(type, tenant)).isNotEmpty());
		return replies.data(type, tenant).get(0);
	}

	private static Path part(UUID archive) {
		return ARCHIVES.resolve(archive.toString()).resolve("file.zip");
	}

	/** Rewrites a ZIP file in place, entry by entry and in order, through a change. */
	private static void rewrite(Path zip, BiFunction<String, byte[], byte[]> change) throws IOException {
		copy(zip, change, null, null);
	}

	/** Adds an entry to a ZIP file, before its last one (the manifest). */
	private static void addEntry(Path zip, String name, byte[] bytes) throws IOException {
		copy(zip, (n, b) -> b, name, bytes);
	}

	private static void copy(Path zip, BiFunction<String, byte[], byte[]> change, String extra, byte[] extraBytes)
			throws IOException {
		Path copy = zip.resolveSibling(zip.getFileName() + ".rewritten");
		try (ZipFile in = new ZipFile(zip.toFile());
				OutputStream file = Files.newOutputStream(copy);
				ZipOutputStream out = new ZipOutputStream(file)) {
			List<ZipEntry> entries = new ArrayList<>();
			Enumeration<? extends ZipEntry> all = in.entries();
			while (all.hasMoreElements()) {
				entries.add(all.nextElement());
			}
			for (int i = 0; i < entries.size(); i++) {
				if (extra != null && i == entries.size() - 1) {
					out.putNextEntry(new ZipEntry(extra));
					out.write(extraBytes);
					out.closeEntry();
				}
				ZipEntry entry = entries.get(i);
				byte[] bytes;
				try (InputStream stream = in.getInputStream(entry)) {
					bytes = stream.readAllBytes();
				}
				out.putNextEntry(new ZipEntry(entry.getName()));
				out.write(change.apply(entry.getName(), bytes));
				out.closeEntry();
			}
		}
		Files.move(copy, zip, StandardCopyOption.REPLACE_EXISTING);
	}

	/**
	 * The manifest with one more entry, listed with its true SHA-256 and size; the rest
	 * of its text kept as it is.
	 */
	private static byte[] withEntry(byte[] manifest, String name, byte[] bytes) {
		String text = new String(manifest, StandardCharsets.UTF_8);
		String list = "\"entries\":[";
		int at = text.indexOf(list) + list.length();
		assertThat(at).isGreaterThan(list.length());
		String entry = JSON.writeValueAsString(new ArchiveManifest.Entry(name, sha256(bytes), bytes.length));
		String rest = text.substring(at);
		return (text.substring(0, at) + entry + (rest.startsWith("]") ? "" : ",") + rest)
			.getBytes(StandardCharsets.UTF_8);
	}

	private static String sha256(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
