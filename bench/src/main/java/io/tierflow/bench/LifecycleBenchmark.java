package io.tierflow.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.tenant.TenantCreated;
import io.tierflow.events.tenant.TenantEraseRequested;
import io.tierflow.events.tenant.TenantErased;
import io.tierflow.events.tenant.TenantExportRequested;
import io.tierflow.events.tenant.TenantImportRequested;
import io.tierflow.servicetest.TestEvents;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.mover.TenantEraser;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TenantTraces;
import io.tierflow.testsupport.TestKafka;
import io.tierflow.testsupport.TestPostgres;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;
import tools.jackson.databind.JsonNode;

import org.springframework.context.ConfigurableApplicationContext;

import static org.awaitility.Awaitility.await;

/**
 * The tenant lifecycle at size: simulation-service in-process, a tenant of {@code --rows}
 * rows on each tier (rows in the shared tables, a schema of its own, a database of its
 * own) beside a neighbour of 10,000 rows, each erased by the service's
 * {@link TenantEraser} as an erase request would. Reports each erase's time, checks the
 * neighbour is untouched, and counts what the catalog scan of every database of the
 * service still finds of the erased tenants besides their tombstones ({@code leftovers}).
 * Before that, the archive round trip: a tenant of {@code --rows} rows and
 * {@code --blob-mb} MB of files (file-service runs as a process of its own) exported and
 * imported as another tenant on another tier, against raw copies of the same data.
 */
final class LifecycleBenchmark {

	private static final String PREFIX = "bench_life";

	private final int rows;

	private final int blobMegabytes;

	private final Map<String, String> settings;

	LifecycleBenchmark(Map<String, String> options) {
		this.rows = Bench.intOption(options, "rows", 1_000_000);
		this.blobMegabytes = Bench.intOption(options, "blob-mb", 100);
		this.settings = Bench.serviceSettings(options);
	}

	String run() throws Exception {
		Bench.say(String.format(Locale.ROOT,
				"lifecycle: export and import a tenant of %,d rows and %d MB of files; erase a tenant of %,d rows on"
						+ " each tier; %d cores",
				this.rows, this.blobMegabytes, this.rows, Runtime.getRuntime().availableProcessors()));
		PostgresServer pg = TestPostgres.get();
		Bench.say("  PostgreSQL " + pg + ", Kafka " + TestKafka.get().bootstrapServers());
		Map<Tier, Double> seconds = new LinkedHashMap<>();
		long leftovers = 0;
		double exportRatio;
		double importRatio;
		Path work = Files.createTempDirectory("tierflow-bench-lifecycle");
		Path archives = Files.createDirectories(work.resolve("archives"));
		Map<String, String> settings = new LinkedHashMap<>(this.settings);
		settings.put("tierflow.mover.archives", archives.toString());
		Bench.say("  starting file-service (log and blobs in " + work + ")");
		try (FileServiceUnderBench files = FileServiceUnderBench.launch(pg, archives, work);
				ConfigurableApplicationContext service = ServiceUnderBench.start(PREFIX, false, settings)) {
			files.awaitHealthy();
			TenantProvisioner provisioner = service.getBean(TenantProvisioner.class);
			TenantEraser eraser = service.getBean(TenantEraser.class);
			List<UUID> erased = new ArrayList<>();
			double[] ratios = archiveRoundTrip(pg, service, files);
			exportRatio = ratios[0];
			importRatio = ratios[1];
			for (Tier tier : Tier.values()) {
				UUID tenant = UUID.randomUUID();
				UUID neighbour = UUID.randomUUID();
				TenantPlacement placement = provisioner.provision(tenant, tier, "eu");
				TenantPlacement beside = provisioner.provision(neighbour, tier, "eu");
				long seedAt = System.nanoTime();
				seed(pg, placement, this.rows);
				seed(pg, beside, 10_000);
				Bench.say(String.format(Locale.ROOT, "  %-10s %s: seeded %,d rows in %.1f s", tier,
						placement.isolation(), this.rows, (System.nanoTime() - seedAt) / 1e9));
				String neighbourBefore = checksum(pg, beside);

				long at = System.nanoTime();
				TenantErased report = eraser.erase(tenant);
				double s = (System.nanoTime() - at) / 1e9;
				seconds.put(tier, s);
				erased.add(tenant);
				Bench.say(String.format(Locale.ROOT, "  %-10s erased in %.2f s: rows %s, store dropped %s", tier, s,
						report.rowsDeleted(), report.storeDropped()));
				if (report.rowsDeleted().getOrDefault("simulation_model", 0L) != this.rows) {
					throw new IllegalStateException("The report counts " + report.rowsDeleted() + ", not " + this.rows);
				}
				if (!checksum(pg, beside).equals(neighbourBefore)) {
					throw new IllegalStateException("The neighbour's rows changed");
				}
			}
			List<String> databases = List.of(PREFIX);
			for (UUID tenant : erased) {
				List<String> traces = TenantTraces.inDatabases(pg, tenant, databases);
				List<String> left = traces.stream().filter((t) -> !t.contains(".tierflow.tenant_erasure.")).toList();
				if (!left.isEmpty()) {
					Bench.say("  left of " + tenant + ": " + left);
				}
				leftovers += left.size();
			}
			Bench.say("  catalog scan of every " + PREFIX + "* database: " + leftovers
					+ " traces besides the tombstones");
		}
		finally {
			// The blobs and the archives go; file-service's log stays.
			for (Path dir : List.of(work.resolve("blobs"), archives)) {
				try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
					for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
						Files.deleteIfExists(path);
					}
				}
			}
		}
		// The line, key for key (the files' size is in the lines above).
		return String.format(Locale.ROOT,
				"RESULT lifecycle rows=%d export_ratio=%.2f import_ratio=%.2f erase_shared_s=%.2f erase_schema_s=%.2f"
						+ " erase_database_s=%.2f leftovers=%d",
				this.rows, exportRatio, importRatio, seconds.get(Tier.SHARED), seconds.get(Tier.DEDICATED),
				seconds.get(Tier.ENTERPRISE), leftovers);
	}

	/**
	 * Exports a SHARED tenant of {@code --rows} rows in simulation-service and
	 * {@code --blob-mb} MB of files in file-service, and imports the archive as a new
	 * ENTERPRISE tenant, each through Kafka as tenant-service asks for them; timed from
	 * the request until both services have answered. The baselines are measured in the
	 * same run on the same data: a raw {@code COPY ... TO} of the rows into a file and a
	 * plain copy of the blob files into one; a raw {@code COPY ... FROM} of that file
	 * into a table of the same shape in a database of its own, and a plain write of the
	 * blobs.
	 * @return the export's and the import's time over the raw ones'
	 */
	private double[] archiveRoundTrip(PostgresServer pg, ConfigurableApplicationContext service,
			FileServiceUnderBench files) throws Exception {
		TenantProvisioner provisioner = service.getBean(TenantProvisioner.class);
		UUID tenant = UUID.randomUUID();
		TestEvents.publish(Topics.TENANT, EventTypes.TENANT_CREATED, tenant, UUID.randomUUID().toString(),
				new TenantCreated(tenant, "Bench archive tenant", "bench-archive", "STANDARD", Tier.SHARED, "eu"));
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> provisioner.find(tenant).filter((p) -> p.state() == PlacementState.READY).isPresent()
					&& files.ready(tenant));
		TenantPlacement placement = provisioner.find(tenant).orElseThrow();
		seed(pg, placement, this.rows);
		long blobBytes = files.upload(tenant, this.blobMegabytes);
		Bench.say(String.format(Locale.ROOT,
				"  archive tenant: %,d rows in simulation-service, %,d bytes of files in" + " file-service", this.rows,
				blobBytes));
		Path raw = Files.createTempFile("tierflow-bench-copy", ".copy");
		Path rawBlobs = Files.createTempFile("tierflow-bench-blobs", ".bin");
		try (TestEvents.Reader replies = TestEvents.read(Topics.TENANT_REPLIES)) {
			long at = System.nanoTime();
			try (Connection con = pg.adminConnection(placement.database());
					OutputStream out = new BufferedOutputStream(Files.newOutputStream(raw), 1 << 16)) {
				new CopyManager(con.unwrap(BaseConnection.class)).copyOut("copy (select * from " + placement.schema()
						+ ".simulation_model where tenant_id = '" + tenant + "') to stdout", out);
			}
			double rawOut = (System.nanoTime() - at) / 1e9;
			at = System.nanoTime();
			try (OutputStream out = Files.newOutputStream(rawBlobs)) {
				for (Path blob : files.blobsOf(tenant)) {
					Files.copy(blob, out);
				}
			}
			double rawBlobsOut = (System.nanoTime() - at) / 1e9;

			UUID exportId = UUID.randomUUID();
			at = System.nanoTime();
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_EXPORT_REQUESTED, tenant, UUID.randomUUID().toString(),
					new TenantExportRequested(tenant, exportId));
			Map<String, JsonNode> exported = answers(replies, EventTypes.TENANT_EXPORTED, tenant, "exportId", exportId);
			double exportSeconds = (System.nanoTime() - at) / 1e9;
			long exportedRows = exported.get("simulation").get("rowsWritten").asLong();
			Bench.say(String.format(Locale.ROOT,
					"  export (request to both answers): %,d rows and %,d bytes of files in %.2f s (%,.0f rows/s);"
							+ " archive parts %,d + %,d bytes",
					exportedRows, blobBytes, exportSeconds, exportedRows / exportSeconds,
					exported.get("simulation").get("bytesWritten").asLong(),
					exported.get("file").get("bytesWritten").asLong()));
			Bench.say(String.format(Locale.ROOT,
					"  raw: COPY TO a file %.2f s (%,.0f rows/s), the blob files copied into one %.2f s (%,.0f MB/s)",
					rawOut, this.rows / rawOut, rawBlobsOut, blobBytes / 1e6 / rawBlobsOut));

			String rawDatabase = PREFIX + "_raw";
			pg.dropDatabase(rawDatabase);
			pg.createDatabase(rawDatabase);
			try (Connection con = pg.adminConnection(rawDatabase); Statement st = con.createStatement()) {
				st.execute("create table simulation_model (tenant_id uuid not null, id uuid not null,"
						+ " name text not null, description text, definition jsonb not null default '{}'::jsonb,"
						+ " created_at timestamptz not null default now(), primary key (tenant_id, id))");
				st.execute("create unique index on simulation_model (tenant_id, name)");
			}
			at = System.nanoTime();
			try (Connection con = pg.adminConnection(rawDatabase);
					InputStream in = new BufferedInputStream(Files.newInputStream(raw), 1 << 16)) {
				new CopyManager(con.unwrap(BaseConnection.class)).copyIn("copy simulation_model from stdin", in);
			}
			double rawIn = (System.nanoTime() - at) / 1e9;
			pg.dropDatabase(rawDatabase);
			Path rawBlobsCopy = Files.createTempFile("tierflow-bench-blobs", ".copy");
			at = System.nanoTime();
			try (FileChannel channel = FileChannel.open(rawBlobsCopy, StandardOpenOption.WRITE)) {
				Files.copy(rawBlobs, Channels.newOutputStream(channel));
				channel.force(true);
			}
			double rawBlobsIn = (System.nanoTime() - at) / 1e9;
			Files.delete(rawBlobsCopy);

			UUID imported = UUID.randomUUID();
			UUID importId = UUID.randomUUID();
			at = System.nanoTime();
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_IMPORT_REQUESTED, imported,
					UUID.randomUUID().toString(),
					new TenantImportRequested(imported, importId, exportId, tenant, Tier.ENTERPRISE, "eu"));
			Map<String, JsonNode> loaded = answers(replies, EventTypes.TENANT_IMPORTED, imported, "importId", importId);
			double importSeconds = (System.nanoTime() - at) / 1e9;
			long importedRows = loaded.get("simulation").get("rowsLoaded").asLong();
			long importedBlobs = files.bytesOf(imported);
			Bench.say(String.format(Locale.ROOT,
					"  import as ENTERPRISE (own databases made, every table and blob verified): %,d rows and %,d"
							+ " bytes of files in %.2f s (%,.0f rows/s)",
					importedRows, importedBlobs, importSeconds, importedRows / importSeconds));
			Bench.say(String.format(Locale.ROOT,
					"  raw: COPY FROM the file %.2f s (%,.0f rows/s), the blobs written and synced %.2f s", rawIn,
					this.rows / rawIn, rawBlobsIn));
			if (importedRows != this.rows || importedBlobs != blobBytes) {
				throw new IllegalStateException("The import loaded " + importedRows + " rows and " + importedBlobs
						+ " bytes of files, not " + this.rows + " and " + blobBytes);
			}
			for (UUID erased : List.of(imported, tenant)) {
				TestEvents.publish(Topics.TENANT, EventTypes.TENANT_ERASE_REQUESTED, erased,
						UUID.randomUUID().toString(), new TenantEraseRequested(erased, OffsetDateTime.now()));
				answers(replies, EventTypes.TENANT_ERASED, erased, null, null);
			}
			return new double[] { (rawOut + rawBlobsOut) / exportSeconds, (rawIn + rawBlobsIn) / importSeconds };
		}
		finally {
			Files.deleteIfExists(raw);
			Files.deleteIfExists(rawBlobs);
		}
	}

	/**
	 * Waits for simulation-service's and file-service's answers of {@code type} for the
	 * tenant (with {@code idField} equal to {@code id} when given), and fails on a
	 * refusal.
	 */
	private static Map<String, JsonNode> answers(TestEvents.Reader replies, String type, UUID tenant, String idField,
			UUID id) {
		Map<String, JsonNode> answers = new LinkedHashMap<>();
		await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(1)).until(() -> {
			replies.poll();
			for (JsonNode answer : replies.data(type, tenant)) {
				if (idField == null || answer.get(idField).asString().equals(id.toString())) {
					if (answer.has("succeeded") && !answer.get("succeeded").asBoolean()) {
						throw new IllegalStateException(type + " refused: " + answer);
					}
					answers.put(answer.get("service").asString(), answer);
				}
			}
			return answers.keySet().containsAll(List.of("simulation", "file"));
		});
		return answers;
	}

	private static TenantEraser eraser(ConfigurableApplicationContext service) {
		return service.getBean(TenantEraser.class);
	}

	private static void seed(PostgresServer pg, TenantPlacement p, int rows) throws Exception {
		try (Connection con = pg.adminConnection(p.database()); Statement st = con.createStatement()) {
			String table = p.schema() + ".simulation_model";
			st.execute("insert into " + table + " (tenant_id, id, name, description, definition)" + " select '"
					+ p.tenantId() + "', gen_random_uuid(), 'model ' || n, 'seeded model ' || n,"
					+ " jsonb_build_object('paths', n, 'horizon', 'P1Y') from generate_series(1, " + rows + ") n");
			st.execute("analyze " + table);
		}
	}

	private static String checksum(PostgresServer pg, TenantPlacement p) throws Exception {
		try (Connection con = pg.adminConnection(p.database());
				Statement st = con.createStatement();
				var rs = st.executeQuery("select count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 16))::bit(64)"
						+ "::bigint::numeric), 0) from " + p.schema() + ".simulation_model t where tenant_id = '"
						+ p.tenantId() + "'")) {
			rs.next();
			return rs.getLong(1) + "/" + rs.getBigDecimal(2);
		}
	}

}
