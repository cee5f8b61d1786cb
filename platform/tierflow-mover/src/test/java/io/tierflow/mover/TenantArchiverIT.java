package io.tierflow.mover;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.tenant.TenantExportRequested;
import io.tierflow.events.tenant.TenantImportRequested;
import io.tierflow.mover.MoverTestApplication.NoteRepository;
import io.tierflow.servicetest.TestEvents;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.testsupport.TenantTraces;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A service's part of tenant exports and imports over real Kafka and PostgreSQL: a tenant
 * exported from the shared tables and imported as its own database, and back, with every
 * table's checksum equal and the imported tenant served; an erased tenant's id taken
 * again by an import; a truncated or altered archive refused, naming the table, with
 * nothing left behind.
 */
class TenantArchiverIT {

	private static final String SERVICE = "archiver";

	private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder()
		.build();

	private static ConfigurableApplicationContext instance;

	private static Path archives;

	@BeforeAll
	static void start() throws Exception {
		archives = Files.createTempDirectory("tierflow-archives-it");
		Map<String, String> properties = new java.util.HashMap<>(MoverTestApplication.properties(SERVICE));
		properties.put("tierflow.mover.archives", archives.toString());
		instance = new SpringApplicationBuilder(MoverTestApplication.class).web(WebApplicationType.NONE)
			.properties(Map.copyOf(properties))
			.run();
	}

	@AfterAll
	static void stop() {
		instance.close();
	}

	@Test
	void aTenantExportedFromSharedTablesComesBackAsItsOwnDatabaseAndBackWithEqualChecksums() throws Exception {
		UUID a = provision(Tier.SHARED);
		write(a, 250);
		List<UUID> ids = TenantContext.call(a, () -> notes().ids());
		UUID export = UUID.randomUUID();
		UUID b = UUID.randomUUID();
		JsonNode exported;
		JsonNode imported;
		try (TestEvents.Reader replies = TestEvents.read(Topics.TENANT_REPLIES)) {
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_EXPORT_REQUESTED, a, export.toString(),
					new TenantExportRequested(a, export));
			exported = awaitReply(replies, EventTypes.TENANT_EXPORTED, a);
			assertThat(exported.get("succeeded").asBoolean()).as(exported.toString()).isTrue();
			assertThat(exported.get("tables").get("notes").get("rows").asLong()).isEqualTo(250);
			assertThat(exported.get("tables").has("inbox")).isFalse();
			// Asked again: answered again with the same result, nothing written twice.
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_EXPORT_REQUESTED, a, export + "-again",
					new TenantExportRequested(a, export));
			await().atMost(Duration.ofSeconds(60)).until(() -> replies.data(EventTypes.TENANT_EXPORTED, a).size() == 2);
			assertThat(replies.data(EventTypes.TENANT_EXPORTED, a).get(1)).isEqualTo(exported);

			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_IMPORT_REQUESTED, b, UUID.randomUUID().toString(),
					new TenantImportRequested(b, UUID.randomUUID(), export, a, Tier.ENTERPRISE, "eu"));
			imported = awaitReply(replies, EventTypes.TENANT_IMPORTED, b);
		}
		assertThat(imported.get("succeeded").asBoolean()).as(imported.toString()).isTrue();
		assertThat(imported.get("isolation").asString()).isEqualTo("DATABASE");
		assertThat(imported.get("tables")).isEqualTo(exported.get("tables"));
		assertThat(TenantContext.call(b, () -> notes().ids())).containsExactlyInAnyOrderElementsOf(ids);
		TenantContext.run(b, () -> notes().add("written after the import"));

		// And back to the shared tables, as a third tenant.
		TenantArchiver archiver = instance.getBean(TenantArchiver.class);
		UUID back = UUID.randomUUID();
		TenantArchiver.Exported again = archiver.export(b, back, TenantArchiver.Progress.NONE);
		UUID c = UUID.randomUUID();
		TenantArchiver.Imported shared = archiver.importPart(c, back, Tier.SHARED, "eu");
		assertThat(shared.placement().isolation()).isEqualTo(IsolationMode.ROW);
		assertThat(shared.tables().get("notes").rows()).isEqualTo(251);
		assertThat(shared.tables().get("notes").checksum()).isEqualTo(again.manifest().tables().get(0).checksum());
		assertThat(TenantContext.call(c, () -> notes().ids())).hasSize(251).containsAll(ids);
		// The source tenant is untouched by either.
		assertThat(TenantContext.call(a, () -> notes().ids())).containsExactlyInAnyOrderElementsOf(ids);
	}

	@Test
	void anErasedTenantsIdIsTakenAgainByAnImportOfItsArchive() throws Exception {
		UUID a = provision(Tier.DEDICATED);
		write(a, 30);
		TenantArchiver archiver = instance.getBean(TenantArchiver.class);
		UUID export = UUID.randomUUID();
		archiver.export(a, export, TenantArchiver.Progress.NONE);
		instance.getBean(TenantEraser.class).erase(a);

		TenantArchiver.Imported again = archiver.importPart(a, export, Tier.SHARED, "eu");

		assertThat(again.placement().state()).isEqualTo(PlacementState.READY);
		assertThat(TenantContext.call(a, () -> notes().ids())).hasSize(30);
	}

	@Test
	void anAlteredOrTruncatedArchiveIsRefusedNamingTheTableAndLeavesNothingBehind() throws Exception {
		UUID a = provision(Tier.SHARED);
		write(a, 40);
		TenantArchiver archiver = instance.getBean(TenantArchiver.class);
		UUID export = UUID.randomUUID();
		TenantArchiver.Exported exported = archiver.export(a, export, TenantArchiver.Progress.NONE);
		Path part = exported.part();
		// The manifest promises each entry's size as a reader gets it back.
		try (ZipFile zip = new ZipFile(part.toFile())) {
			for (ArchiveManifest.Table table : exported.manifest().tables()) {
				assertThat(table.bytes()).as(table.name()).isEqualTo(zip.getEntry(table.file()).getSize());
			}
		}

		// One row's text changed, the manifest left as it was.
		UUID altered = UUID.randomUUID();
		rewrite(part, archives.resolve(altered.toString()).resolve(SERVICE + ".zip"),
				(name, bytes) -> name.equals("tables/notes.copy")
						? new String(bytes, StandardCharsets.UTF_8).replaceFirst("note 1\\b", "note X")
							.getBytes(StandardCharsets.UTF_8)
						: bytes);
		UUID b = UUID.randomUUID();
		assertThatThrownBy(() -> archiver.importPart(b, altered, Tier.ENTERPRISE, "eu"))
			.isInstanceOf(ArchiveRejectedException.class)
			.hasMessageContaining("notes")
			.satisfies((ex) -> assertThat(((ArchiveRejectedException) ex).table()).isEqualTo("notes"));

		// Cut short: the manifest, written last, is gone.
		UUID truncated = UUID.randomUUID();
		Path cut = archives.resolve(truncated.toString()).resolve(SERVICE + ".zip");
		Files.createDirectories(cut.getParent());
		byte[] whole = Files.readAllBytes(part);
		Files.write(cut, java.util.Arrays.copyOf(whole, whole.length / 2));
		assertThatThrownBy(() -> archiver.importPart(b, truncated, Tier.DEDICATED, "eu"))
			.isInstanceOf(ArchiveRejectedException.class);

		// A table whose rows load but do not match their checksum (manifest tampered with
		// to agree on the bytes): refused after loading, rolled back.
		UUID tampered = UUID.randomUUID();
		rewriteWithManifest(part, archives.resolve(tampered.toString()).resolve(SERVICE + ".zip"));
		assertThatThrownBy(() -> archiver.importPart(b, tampered, Tier.DEDICATED, "eu"))
			.isInstanceOf(ArchiveRejectedException.class)
			.hasMessageContaining("checksum");

		assertThat(instance.getBean(TenantProvisioner.class).find(b)).isEmpty();
		assertThat(TenantTraces.inDatabases(TestPostgres.get(), b, List.of(SERVICE + "_")))
			.allMatch((t) -> t.startsWith(SERVICE + "_control.tierflow.tenant_archive_job."));
	}

	@Test
	void anArchiveOfAnOlderSchemaVersionIsMigratedForwardOnImport() throws Exception {
		UUID a = provision(Tier.SHARED);
		write(a, 60);
		TenantArchiver archiver = instance.getBean(TenantArchiver.class);
		UUID export = UUID.randomUUID();
		Path part = archiver.export(a, export, TenantArchiver.Progress.NONE).part();
		// The same rows as a service at version 1 (no tags column) would have written
		// them.
		UUID older = UUID.randomUUID();
		Path olderPart = archives.resolve(older.toString()).resolve(SERVICE + ".zip");
		String[] fixed = new String[4];
		rewrite(part, olderPart, (name, bytes) -> {
			if (name.equals("tables/notes.copy")) {
				StringBuilder v1 = new StringBuilder();
				for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
					v1.append(line, 0, line.lastIndexOf('\t')).append('\n');
				}
				byte[] changed = v1.toString().getBytes(StandardCharsets.UTF_8);
				fixed[0] = sha256Hex(bytes);
				fixed[1] = sha256Hex(changed);
				fixed[2] = v1.toString();
				return changed;
			}
			return bytes;
		});
		String sum = v1Checksum(fixed[2]);
		rewrite(olderPart, archives.resolve(older + "-v1").resolve(SERVICE + ".zip"), (name, bytes) -> {
			if (!name.equals(ArchiveManifest.NAME)) {
				return bytes;
			}
			tools.jackson.databind.node.ObjectNode manifest = (tools.jackson.databind.node.ObjectNode) JSON
				.readTree(bytes);
			String version = manifest.get("schemaVersion").asString();
			manifest.put("schemaVersion", "1" + version.substring(version.indexOf('+')));
			for (JsonNode table : manifest.get("tables")) {
				if (table.get("name").asString().equals("notes")) {
					tools.jackson.databind.node.ObjectNode notes = (tools.jackson.databind.node.ObjectNode) table;
					notes.put("sha256", fixed[1]);
					notes.put("checksum", new java.math.BigDecimal(sum));
					tools.jackson.databind.node.ArrayNode columns = notes.putArray("columns");
					columns.add("tenant_id").add("id").add("body").add("created");
				}
			}
			return JSON.writeValueAsBytes(manifest);
		});
		UUID archive = UUID.fromString(older.toString());
		Files.move(archives.resolve(older + "-v1").resolve(SERVICE + ".zip"), olderPart,
				java.nio.file.StandardCopyOption.REPLACE_EXISTING);

		UUID b = UUID.randomUUID();
		TenantArchiver.Imported imported = archiver.importPart(b, archive, Tier.DEDICATED, "eu");

		assertThat(imported.tables().get("notes").rows()).isEqualTo(60);
		assertThat(TenantContext.call(b, () -> notes().ids()))
			.containsExactlyInAnyOrderElementsOf(TenantContext.call(a, () -> notes().ids()));
		// No staging schema is left beside the tenant's.
		assertThat(TenantTraces.inDatabases(TestPostgres.get(), b, List.of(SERVICE + "_dedicated")))
			.noneMatch((t) -> t.contains("tf_import_"));
	}

	/**
	 * The checksum version 1's table would give these rows (its row text has no tags).
	 */
	private static String v1Checksum(String copyText) throws Exception {
		try (java.sql.Connection con = TestPostgres.get().adminConnection(SERVICE + "_shared")) {
			con.setAutoCommit(false);
			try (java.sql.Statement st = con.createStatement()) {
				st.execute("create temp table notes_v1 (tenant_id uuid not null, id uuid not null, body text not null,"
						+ " created timestamptz not null) on commit drop");
			}
			new org.postgresql.copy.CopyManager(con.unwrap(org.postgresql.core.BaseConnection.class))
				.copyIn("copy notes_v1 from stdin", new java.io.StringReader(copyText));
			try (java.sql.Statement st = con.createStatement();
					java.sql.ResultSet rs = st.executeQuery("select coalesce(sum(('x' || substr(md5(t::text), 1, 16))"
							+ "::bit(64)::bigint::numeric), 0) from notes_v1 t")) {
				rs.next();
				String sum = rs.getBigDecimal(1).toPlainString();
				con.rollback();
				return sum;
			}
		}
	}

	private interface Change {

		byte[] apply(String name, byte[] bytes);

	}

	private static void rewrite(Path from, Path to, Change change) throws Exception {
		Files.createDirectories(to.getParent());
		try (ZipFile in = new ZipFile(from.toFile());
				OutputStream file = Files.newOutputStream(to);
				ZipOutputStream out = new ZipOutputStream(file)) {
			Enumeration<? extends ZipEntry> entries = in.entries();
			while (entries.hasMoreElements()) {
				ZipEntry entry = entries.nextElement();
				byte[] bytes;
				try (InputStream stream = in.getInputStream(entry)) {
					bytes = stream.readAllBytes();
				}
				out.putNextEntry(new ZipEntry(entry.getName()));
				out.write(change.apply(entry.getName(), bytes));
				out.closeEntry();
			}
		}
	}

	/**
	 * Adds a row to the notes and fixes the manifest's SHA-256 of them, not its checksum.
	 */
	private static void rewriteWithManifest(Path from, Path to) throws Exception {
		String[] extra = { null };
		rewrite(from, to, (name, bytes) -> {
			if (name.equals("tables/notes.copy")) {
				String text = new String(bytes, StandardCharsets.UTF_8);
				String first = text.substring(0, text.indexOf('\n') + 1);
				String row = first.replaceFirst("\t[0-9a-f-]{36}\t", "\t" + UUID.randomUUID() + "\t");
				byte[] changed = (text + row).getBytes(StandardCharsets.UTF_8);
				extra[0] = java.util.HexFormat.of().formatHex(sha256(changed)) + " " + sha256Hex(bytes);
				return changed;
			}
			if (name.equals(ArchiveManifest.NAME)) {
				String manifest = new String(bytes, StandardCharsets.UTF_8);
				String[] shas = extra[0].split(" ");
				return manifest.replace(shas[1], shas[0]).getBytes(StandardCharsets.UTF_8);
			}
			return bytes;
		});
	}

	private static byte[] sha256(byte[] bytes) {
		try {
			return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String sha256Hex(byte[] bytes) {
		return java.util.HexFormat.of().formatHex(sha256(bytes));
	}

	private static JsonNode awaitReply(TestEvents.Reader replies, String type, UUID tenant) {
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> !replies.data(type, tenant).isEmpty());
		return replies.data(type, tenant).get(0);
	}

	private static UUID provision(Tier tier) {
		UUID tenant = UUID.randomUUID();
		TenantPlacement p = instance.getBean(TenantProvisioner.class).provision(tenant, tier, "eu");
		assertThat(p.state()).isEqualTo(PlacementState.READY);
		return tenant;
	}

	private static void write(UUID tenant, int rows) {
		TenantContext.run(tenant, () -> {
			for (int i = 0; i < rows; i++) {
				notes().add("note " + i);
			}
		});
	}

	private static NoteRepository notes() {
		return instance.getBean(NoteRepository.class);
	}

}
