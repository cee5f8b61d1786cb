package io.tierflow.mover;

import java.io.BufferedReader;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.migration.PlacementMigrator;
import io.tierflow.tenancy.migration.TenantMigrations;
import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.routing.PlacementDirectory;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes one tenant's data in this service into its part of an archive, and places a
 * tenant from such a part.
 *
 * <p>
 * Export: every tenant table of the tenant's store (inbox and outbox excepted: they are
 * the event backbone's, not the tenant's) is read at one REPEATABLE READ snapshot with
 * {@code COPY ... TO STDOUT}, and its row count and checksum are summed from the copied
 * rows themselves ({@link CopyTextChecksum}); then the {@link ArchiveStep}s add their
 * entries, and the manifest goes last.
 *
 * <p>
 * Import: the part's entries are checked against the manifest's SHA-256s before anything
 * is placed; the tenant is then placed on the tier asked for but not served
 * ({@link TenantProvisioner#prepare}); every table is loaded with {@code COPY ... FROM
 * STDIN} in one transaction (the archive's tenant id replaced by the new one when it
 * differs) and its count and checksum compared with the manifest's (with the new id read
 * back as the old) before the transaction commits; the steps load their entries; only
 * then does the placement turn READY. Anything refused leaves nothing behind: the
 * transaction is rolled back, the steps discard what they loaded, the placement and its
 * own store go.
 */
public class TenantArchiver {

	private static final Logger log = LoggerFactory.getLogger(TenantArchiver.class);

	private static final String TABLES = "tables/";

	/** How much of an entry decides whether it is deflated. */
	private static final int SAMPLE = 64 * 1024;

	/**
	 * The tables an archive leaves out: the event backbone's, not the tenant's (events
	 * are relayed where they were written; the inbox dedupes deliveries that an imported
	 * tenant never receives again).
	 */
	private static final java.util.Set<String> NOT_ARCHIVED = java.util.Set.of("inbox", "outbox");

	/** Progress of an export: rows and bytes written so far. */
	public interface Progress {

		void report(long rows, long bytes);

		Progress NONE = (rows, bytes) -> {
		};

	}

	/** A service's part of an archive, written. */
	public record Exported(ArchiveManifest manifest, Path part, long rows, long bytes) {
	}

	/** A service's part of an archive, loaded and verified, and the tenant serving. */
	public record Imported(TenantPlacement placement, Map<String, TableChecksum> tables, long rows) {
	}

	private final String service;

	private final TenantProvisioner provisioner;

	private final PlacementRepository placements;

	private final TransactionTemplate controlTx;

	private final PlacementDirectory directory;

	private final StoreRemoval removal;

	private final TenantMigrations migrations;

	private final PlacementMigrator migrator;

	private final ArchiveStore archives;

	private final List<ArchiveStep> steps;

	private final JsonMapper json;

	public TenantArchiver(String service, TenantProvisioner provisioner, PlacementRepository placements,
			TransactionTemplate controlTx, PlacementDirectory directory,
			io.tierflow.tenancy.routing.PlacementPools pools, TenantMigrations migrations, PlacementMigrator migrator,
			ArchiveStore archives, List<ArchiveStep> steps, JsonMapper json) {
		this.service = service;
		this.provisioner = provisioner;
		this.placements = placements;
		this.controlTx = controlTx;
		this.directory = directory;
		this.removal = new StoreRemoval(placements, controlTx, pools);
		this.migrations = migrations;
		this.migrator = migrator;
		this.archives = archives;
		this.steps = List.copyOf(steps);
		this.json = json;
	}

	public ArchiveStore store() {
		return this.archives;
	}

	/**
	 * Writes the tenant's part of archive {@code archiveId}.
	 * @throws IllegalStateException if the tenant has no ready placement here
	 */
	public Exported export(UUID tenant, UUID archiveId, Progress progress) throws SQLException, IOException {
		long start = System.nanoTime();
		TenantPlacement placement = this.provisioner.find(tenant)
			.filter((p) -> p.state() == PlacementState.READY)
			.orElseThrow(() -> new IllegalStateException(
					"Tenant " + tenant + " has no ready placement in " + this.service + " to export"));
		Store store = this.removal.store(placement);
		String version = this.controlTx.execute((s) -> this.placements.findStore(placement.store()))
			.map((st) -> st.schemaVersion())
			.orElse(null);
		Path temporary = this.archives.temporary(archiveId, this.service);
		long rows = 0;
		List<ArchiveManifest.Table> tables = new ArrayList<>();
		List<ArchiveManifest.Entry> entries = new ArrayList<>();
		try (OutputStream file = Files.newOutputStream(temporary);
				CountingStream counted = new CountingStream(file);
				ZipOutputStream zip = new ZipOutputStream(counted)) {
			// The rows are text: the fastest level keeps the export near a raw COPY.
			zip.setLevel(Deflater.BEST_SPEED);
			try (Connection con = store.connect()) {
				TableChecksum.pin(con);
				List<TenantTable> all = TenantTable.of(con, store.schema())
					.stream()
					.filter((t) -> !NOT_ARCHIVED.contains(t.name()))
					.toList();
				CopyManager copy = new CopyManager(con.unwrap(BaseConnection.class));
				for (TenantTable table : all) {
					String name = TABLES + table.name() + ".copy";
					zip.putNextEntry(new ZipEntry(name));
					MessageDigest sha = sha256();
					// The entry's own size, as read back: what the manifest promises a
					// reader.
					CountingStream size = new CountingStream(new Unclosed(zip));
					List<String> columns = List.copyOf(table.columns().keySet());
					long copied;
					TableChecksum sum;
					// The checksum is summed from the rows as they pass, the way the
					// database sums it (an import checks it there): one pass over the
					// rows, not two. The digest and the deflater work on another thread,
					// 256 KB at a time, while this one reads the next rows.
					try (OutputStream entry = new HandOffStream(new DigestOutputStream(size, sha),
							"tierflow-export-" + table.name(), 1 << 18);
							CopyTextChecksum rowsSeen = new CopyTextChecksum(entry)) {
						copied = copy.copyOut("copy (select " + columnList(columns) + " from "
								+ store.qualified(table.name()) + " where tenant_id = '" + tenant + "') to stdout",
								rowsSeen);
						sum = rowsSeen.checksum();
					}
					zip.closeEntry();
					if (copied != sum.rows()) {
						throw new IllegalStateException("Table " + table.name() + ": COPY reported " + copied
								+ " rows, " + sum.rows() + " were read");
					}
					rows += copied;
					tables.add(new ArchiveManifest.Table(table.name(), columns, sum.rows(), sum.checksum(), name,
							HexFormat.of().formatHex(sha.digest()), size.count));
					progress.report(rows, counted.count);
				}
				con.commit();
			}
			try (TenantContext.Scope scope = TenantContext.openForMaintenance(tenant)) {
				for (ArchiveStep step : this.steps) {
					step.write(tenant, (name, content) -> {
						String entryName = step.prefix() + "/" + name;
						// Files are often compressed already (images, PDFs, archives):
						// deflating them again costs CPU for nothing, so the first
						// 64 KB decide.
						byte[] head = content.readNBytes(SAMPLE);
						zip.setLevel(compresses(head) ? Deflater.BEST_SPEED : Deflater.NO_COMPRESSION);
						zip.putNextEntry(new ZipEntry(entryName));
						MessageDigest sha = sha256();
						long bytes;
						try (OutputStream entry = new DigestOutputStream(new Unclosed(zip), sha)) {
							entry.write(head);
							bytes = head.length + content.transferTo(entry);
						}
						zip.closeEntry();
						zip.setLevel(Deflater.BEST_SPEED);
						entries
							.add(new ArchiveManifest.Entry(entryName, HexFormat.of().formatHex(sha.digest()), bytes));
						progress.report(0, counted.count);
					});
				}
			}
			ArchiveManifest manifest = new ArchiveManifest(ArchiveManifest.FORMAT, this.service, tenant, archiveId,
					OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS), version, tables, entries);
			zip.putNextEntry(new ZipEntry(ArchiveManifest.NAME));
			zip.write(this.json.writeValueAsBytes(manifest));
			zip.closeEntry();
			zip.finish();
			long bytes = counted.count;
			zip.close();
			this.archives.publish(temporary, archiveId, this.service);
			log.info("Tenant {} exported from {} into archive {}: {} rows, {} bytes in {} ms", tenant,
					placement.store(), archiveId, rows, bytes, (System.nanoTime() - start) / 1_000_000);
			return new Exported(manifest, this.archives.part(archiveId, this.service), rows, bytes);
		}
		catch (SQLException | IOException | RuntimeException ex) {
			Files.deleteIfExists(temporary);
			throw ex;
		}
	}

	/**
	 * Places {@code tenant} on {@code tier} in {@code region} from this service's part of
	 * archive {@code archiveId}.
	 * @throws ArchiveRejectedException when the part is missing, damaged, from a newer
	 * schema, or does not verify once loaded; nothing is left behind
	 */
	public Imported importPart(UUID tenant, UUID archiveId, Tier tier, String region)
			throws ArchiveRejectedException, SQLException, IOException {
		long start = System.nanoTime();
		Path part = this.archives.part(archiveId, this.service);
		if (!Files.isRegularFile(part)) {
			throw new ArchiveRejectedException(this.service, null, "the archive has no part for this service");
		}
		try (ZipFile zip = open(part)) {
			ArchiveManifest manifest = manifest(zip);
			verifyEntries(zip, manifest);
			String archived = PlacementMigrator.scriptVersion(manifest.schemaVersion());
			boolean staged = !PlacementMigrator.scriptVersion(this.migrations.latestVersion()).equals(archived);
			if (staged && !this.migrator.knowsVersion(manifest.schemaVersion())) {
				throw new ArchiveRejectedException(this.service, null,
						"the archive is at schema version " + manifest.schemaVersion() + ", which this service (at "
								+ this.migrations.latestVersion() + ") does not have: newer, or not Tierflow's");
			}
			// An id kept from a tenant erased here: its tombstone gives way to the
			// import.
			if (this.controlTx.execute((s) -> this.placements.forgetErasure(tenant))) {
				this.directory.evict(tenant);
			}
			TenantPlacement placement = this.provisioner.prepare(tenant, tier, region);
			if (placement.state() != PlacementState.PROVISIONING) {
				throw new ArchiveRejectedException(this.service, null,
						"tenant " + tenant + " cannot be placed for an import: its placement is " + placement.state()
								+ ((placement.error() != null) ? " (" + placement.error() + ")" : ""));
			}
			Map<String, TableChecksum> loaded;
			boolean stepsRan = false;
			try {
				loaded = staged ? loadStaged(zip, manifest, placement, tenant, archived)
						: load(zip, manifest, placement, tenant);
				try (TenantContext.Scope scope = TenantContext.openForMaintenance(tenant)) {
					stepsRan = true;
					for (ArchiveStep step : this.steps) {
						String prefix = step.prefix() + "/";
						List<String> names = manifest.entries()
							.stream()
							.map(ArchiveManifest.Entry::name)
							.filter((n) -> n.startsWith(prefix))
							.map((n) -> n.substring(prefix.length()))
							.toList();
						step.read(tenant, names, (name) -> verified(zip, entry(manifest, prefix + name)));
					}
				}
			}
			catch (ArchiveRejectedException | SQLException | IOException | RuntimeException ex) {
				discard(placement, tenant, stepsRan);
				if (ex instanceof ShaMismatch mismatch) {
					throw new ArchiveRejectedException(this.service, mismatch.entry,
							"its bytes do not match the manifest");
				}
				throw ex;
			}
			TenantPlacement ready = this.provisioner.markReady(placement);
			long rows = loaded.values().stream().mapToLong(TableChecksum::rows).sum();
			log.info("Tenant {} imported into {} from archive {}: {} rows verified in {} ms", tenant, ready.store(),
					archiveId, rows, (System.nanoTime() - start) / 1_000_000);
			return new Imported(ready, loaded, rows);
		}
	}

	/** Loads every table in one transaction and verifies each before it commits. */
	private Map<String, TableChecksum> load(ZipFile zip, ArchiveManifest manifest, TenantPlacement placement,
			UUID tenant) throws ArchiveRejectedException, SQLException, IOException {
		Store store = this.removal.store(placement);
		try (Connection con = store.connect()) {
			con.setAutoCommit(false);
			Map<String, TableChecksum> loaded = loadInto(con, store, zip, manifest, tenant);
			con.commit();
			return loaded;
		}
	}

	/**
	 * An archive of an older schema version: loaded and verified in a staging schema made
	 * at that version beside the tenant's store, migrated forward there with the
	 * service's own migrations, then moved into the store in one transaction. The staging
	 * schema goes in any case.
	 * @return the checksums of the rows as they are in the store, at the latest version
	 */
	private Map<String, TableChecksum> loadStaged(ZipFile zip, ArchiveManifest manifest, TenantPlacement placement,
			UUID tenant, String version) throws ArchiveRejectedException, SQLException, IOException {
		Store store = this.removal.store(placement);
		// Derived from the tenant id only, like every store name.
		String schema = "tf_import_" + tenant.toString().replace("-", "");
		Store staging = new Store(store.jdbcUrl(), store.username(), store.password(), schema);
		try {
			this.migrator.createStaging(placement.store(), placement.isolation(), schema, version);
			try (Connection con = staging.connect()) {
				con.setAutoCommit(false);
				loadInto(con, staging, zip, manifest, tenant);
				con.commit();
			}
			this.migrator.migrateStaging(placement.store(), placement.isolation(), schema);
			log.info("Archive of tenant {} at schema version {} migrated to {} in {}", tenant, version,
					this.migrations.latestVersion(), schema);
			try (Connection con = store.connect()) {
				con.setAutoCommit(false);
				Map<String, TableChecksum> moved = new LinkedHashMap<>();
				for (TenantTable table : TenantTable.of(con, staging.schema())) {
					if (NOT_ARCHIVED.contains(table.name())) {
						continue;
					}
					String columns = columnList(List.copyOf(table.columns().keySet()));
					try (PreparedStatement ps = con
						.prepareStatement("insert into " + store.qualified(table.name()) + " (" + columns + ") select "
								+ columns + " from " + staging.qualified(table.name()) + " where tenant_id = ?")) {
						ps.setObject(1, tenant);
						ps.executeUpdate();
					}
					moved.put(table.name(), checksum(con, store, table.name(), tenant, tenant));
				}
				con.commit();
				return moved;
			}
		}
		finally {
			try (Connection con = store.connect(); Statement st = con.createStatement()) {
				st.execute("drop schema if exists " + Sql.quote(schema) + " cascade");
			}
			catch (SQLException ex) {
				log.warn("Import of tenant {}: its staging schema {} could not be dropped: {}", tenant, schema,
						ex.toString());
			}
		}
	}

	/**
	 * Loads every table of the archive into {@code store}'s schema in the transaction of
	 * {@code con}, verifying each table's rows against the manifest.
	 */
	private Map<String, TableChecksum> loadInto(Connection con, Store store, ZipFile zip, ArchiveManifest manifest,
			UUID tenant) throws ArchiveRejectedException, SQLException, IOException {
		String from = manifest.tenantId().toString();
		String to = tenant.toString();
		Map<String, TableChecksum> loaded = new LinkedHashMap<>();
		Map<String, TenantTable> tables = new LinkedHashMap<>();
		for (TenantTable t : TenantTable.of(con, store.schema())) {
			tables.put(t.name(), t);
		}
		CopyManager copy = new CopyManager(con.unwrap(BaseConnection.class));
		for (ArchiveManifest.Table table : manifest.tables()) {
			TenantTable target = tables.get(table.name());
			if (target == null || NOT_ARCHIVED.contains(table.name())) {
				throw new ArchiveRejectedException(this.service, table.name(), "no such table here");
			}
			if (!List.copyOf(target.columns().keySet()).equals(table.columns())) {
				throw new ArchiveRejectedException(this.service, table.name(),
						"its columns " + table.columns() + " are not this service's " + target.columns().keySet());
			}
			CopyIn in = copy
				.copyIn("copy " + store.qualified(table.name()) + " (" + columnList(table.columns()) + ") from stdin");
			try (InputStream rows = verified(zip, entryOf(zip, table.file(), table.sha256(), table.name()))) {
				if (from.equals(to)) {
					byte[] buffer = new byte[64 * 1024];
					for (int n; (n = rows.read(buffer)) > 0;) {
						in.writeToCopy(buffer, 0, n);
					}
				}
				else {
					BufferedReader lines = new BufferedReader(new InputStreamReader(rows, StandardCharsets.UTF_8),
							64 * 1024);
					for (String line; (line = lines.readLine()) != null;) {
						byte[] bytes = (line.replace(from, to) + "\n").getBytes(StandardCharsets.UTF_8);
						in.writeToCopy(bytes, 0, bytes.length);
					}
				}
				in.endCopy();
			}
			catch (ShaMismatch ex) {
				if (in.isActive()) {
					in.cancelCopy();
				}
				throw new ArchiveRejectedException(this.service, table.name(),
						"its rows do not match the manifest's SHA-256 (truncated, corrupted or altered)");
			}
			catch (SQLException ex) {
				if (in.isActive()) {
					in.cancelCopy();
				}
				throw new ArchiveRejectedException(this.service, table.name(),
						"its rows do not load: " + ex.getMessage());
			}
			TableChecksum sum = checksum(con, store, table.name(), tenant, manifest.tenantId());
			if (sum.rows() != table.rows() || sum.checksum().compareTo(table.checksum()) != 0) {
				throw new ArchiveRejectedException(this.service, table.name(),
						"loaded " + sum.rows() + " rows with checksum " + sum.checksum() + ", the archive has "
								+ table.rows() + " rows with checksum " + table.checksum());
			}
			loaded.put(table.name(), sum);
		}
		return loaded;
	}

	/**
	 * The loaded rows' count and checksum, each row read with the archive's tenant id in
	 * place of the new one: equal to the exported checksum when the rows are the same.
	 */
	private static TableChecksum checksum(Connection con, Store store, String table, UUID tenant, UUID archived)
			throws SQLException {
		try (PreparedStatement ps = con.prepareStatement(
				"select count(*), coalesce(sum(('x' || substr(md5(replace(t::text, ?, ?)), 1, 16))::bit(64)::bigint"
						+ "::numeric), 0) from " + store.qualified(table) + " t where tenant_id = ?")) {
			ps.setString(1, tenant.toString());
			ps.setString(2, archived.toString());
			ps.setObject(3, tenant);
			try (ResultSet rs = ps.executeQuery()) {
				rs.next();
				return new TableChecksum(rs.getLong(1), rs.getBigDecimal(2));
			}
		}
	}

	private void discard(TenantPlacement placement, UUID tenant, boolean stepsRan) {
		if (stepsRan) {
			for (ArchiveStep step : this.steps) {
				try (TenantContext.Scope scope = TenantContext.openForMaintenance(tenant)) {
					step.discard(tenant);
				}
				catch (IOException | RuntimeException ex) {
					log.warn("Import of tenant {}: {} could not discard what it loaded: {}", tenant,
							step.getClass().getSimpleName(), ex.toString());
				}
			}
		}
		try {
			if (placement.isolation() != IsolationMode.ROW) {
				this.removal.removeData(placement, this.removal.store(placement), true);
			}
			this.provisioner.discard(placement);
		}
		catch (SQLException | RuntimeException ex) {
			log.warn("Import of tenant {}: its refused placement {} could not be removed: {}", tenant,
					placement.store(), ex.toString());
		}
	}

	private ZipFile open(Path part) throws ArchiveRejectedException, IOException {
		try {
			return new ZipFile(part.toFile());
		}
		catch (ZipException ex) {
			throw new ArchiveRejectedException(this.service, null,
					"its part is not a readable ZIP file: " + ex.getMessage());
		}
	}

	private ArchiveManifest manifest(ZipFile zip) throws ArchiveRejectedException {
		ZipEntry entry = zip.getEntry(ArchiveManifest.NAME);
		if (entry == null) {
			throw new ArchiveRejectedException(this.service, null, "its part has no manifest (truncated?)");
		}
		ArchiveManifest manifest;
		try (InputStream in = zip.getInputStream(entry)) {
			manifest = this.json.readValue(in.readNBytes(16 * 1024 * 1024), ArchiveManifest.class);
		}
		catch (IOException | RuntimeException ex) {
			throw new ArchiveRejectedException(this.service, null, "its manifest is unreadable: " + ex.getMessage());
		}
		if (manifest == null || !ArchiveManifest.FORMAT.equals(manifest.format())
				|| !this.service.equals(manifest.service()) || manifest.tenantId() == null || manifest.tables() == null
				|| manifest.entries() == null) {
			throw new ArchiveRejectedException(this.service, null,
					"its manifest is not a " + ArchiveManifest.FORMAT + " manifest of " + this.service);
		}
		return manifest;
	}

	/** Every entry against its SHA-256, before anything is placed. */
	private void verifyEntries(ZipFile zip, ArchiveManifest manifest) throws ArchiveRejectedException {
		byte[] buffer = new byte[64 * 1024];
		for (ArchiveManifest.Table table : manifest.tables()) {
			drain(zip, table.file(), table.sha256(), table.name(), buffer);
		}
		for (ArchiveManifest.Entry entry : manifest.entries()) {
			drain(zip, entry.name(), entry.sha256(), entry.name(), buffer);
		}
	}

	private void drain(ZipFile zip, String name, String sha256, String what, byte[] buffer)
			throws ArchiveRejectedException {
		try (InputStream in = verified(zip, entryOf(zip, name, sha256, what))) {
			while (in.read(buffer) >= 0) {
				// read to the end: the digest is checked there
			}
		}
		catch (ShaMismatch ex) {
			throw new ArchiveRejectedException(this.service, what,
					"its bytes do not match the manifest's SHA-256 (corrupted or altered)");
		}
		catch (IOException ex) {
			throw new ArchiveRejectedException(this.service, what,
					"it cannot be read (truncated?): " + ex.getMessage());
		}
	}

	private Located entryOf(ZipFile zip, String name, String sha256, String what) throws ArchiveRejectedException {
		ZipEntry entry = (name != null) ? zip.getEntry(name) : null;
		if (entry == null || sha256 == null) {
			throw new ArchiveRejectedException(this.service, what, "its entry " + name + " is missing");
		}
		return new Located(entry, sha256);
	}

	private Located entry(ArchiveManifest manifest, String name) throws IOException {
		return manifest.entries()
			.stream()
			.filter((e) -> e.name().equals(name))
			.findFirst()
			.map((e) -> new Located(new ZipEntry(e.name()), e.sha256()))
			.orElseThrow(() -> new IOException("No entry " + name + " in the manifest"));
	}

	/**
	 * The entry's bytes; reading past the last one throws if they are not the manifest's.
	 */
	private static InputStream verified(ZipFile zip, Located located) throws IOException {
		ZipEntry entry = zip.getEntry(located.entry().getName());
		if (entry == null) {
			throw new IOException("No entry " + located.entry().getName());
		}
		MessageDigest sha = sha256();
		InputStream raw = zip.getInputStream(entry);
		return new DigestInputStream(raw, sha) {

			private boolean checked;

			@Override
			public int read() throws IOException {
				int b = super.read();
				if (b < 0) {
					check();
				}
				return b;
			}

			@Override
			public int read(byte[] b, int off, int len) throws IOException {
				int n = super.read(b, off, len);
				if (n < 0) {
					check();
				}
				return n;
			}

			private void check() throws ShaMismatch {
				if (!this.checked) {
					this.checked = true;
					if (!HexFormat.of().formatHex(sha.digest()).equalsIgnoreCase(located.sha256())) {
						throw new ShaMismatch(located.entry().getName());
					}
				}
			}

		};
	}

	/**
	 * Whether deflating {@code sample} saves at least a tenth of it: if not, the entry is
	 * stored as it is.
	 */
	static boolean compresses(byte[] sample) {
		if (sample.length == 0) {
			return true;
		}
		Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
		try {
			deflater.setInput(sample);
			deflater.finish();
			byte[] out = new byte[sample.length + 64];
			int size = 0;
			while (!deflater.finished() && size < out.length) {
				size += deflater.deflate(out, size, out.length - size);
			}
			return size < sample.length * 0.9;
		}
		finally {
			deflater.end();
		}
	}

	private static String columnList(List<String> columns) {
		return String.join(", ", columns.stream().map(Sql::quote).toList());
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private record Located(ZipEntry entry, String sha256) {
	}

	/** An entry whose bytes are not the ones its manifest names. */
	private static final class ShaMismatch extends IOException {

		final String entry;

		ShaMismatch(String entry) {
			super("Entry " + entry + " does not match its SHA-256");
			this.entry = entry;
		}

	}

	/** Counts the bytes written through it. */
	private static final class CountingStream extends FilterOutputStream {

		long count;

		CountingStream(OutputStream out) {
			super(out);
		}

		@Override
		public void write(int b) throws IOException {
			this.out.write(b);
			this.count++;
		}

		@Override
		public void write(byte[] b, int off, int len) throws IOException {
			this.out.write(b, off, len);
			this.count += len;
		}

	}

	/** Lets an entry's stream be closed without closing the ZIP under it. */
	private static final class Unclosed extends FilterOutputStream {

		Unclosed(OutputStream out) {
			super(out);
		}

		@Override
		public void write(byte[] b, int off, int len) throws IOException {
			this.out.write(b, off, len);
		}

		@Override
		public void close() throws IOException {
			flush();
		}

	}

}
