package io.tierflow.tenant.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import io.tierflow.events.tenant.TenantMigrated.Checksum;
import tools.jackson.databind.json.JsonMapper;

/**
 * A completed export as one file to download, and to upload again to import it: a ZIP
 * file whose first entry is {@code manifest.json} ({@link Manifest}), followed by every
 * service's part as that service wrote it ({@code <service>.zip}, stored, not compressed
 * again: it is compressed already).
 *
 * <p>
 * The manifest comes first and holds each part's SHA-256 and size, so each part is read
 * twice: once for them, once to send it. The download is streamed from the parts on disk
 * and never held in memory.
 */
final class ExportArchive {

	static final String FORMAT = "tierflow-export/1";

	static final String MANIFEST = "manifest.json";

	private final Manifest manifest;

	private final List<PartFile> parts;

	private ExportArchive(Manifest manifest, List<PartFile> parts) {
		this.manifest = manifest;
		this.parts = parts;
	}

	/**
	 * The manifest of a downloaded export.
	 *
	 * @param format {@value #FORMAT}
	 * @param tenantId the tenant the archive was written for
	 * @param exportedAt when the last part was written
	 * @param services each service's part, by service name
	 */
	record Manifest(String format, UUID exportId, UUID tenantId, OffsetDateTime exportedAt,
			Map<String, Part> services) {
	}

	/**
	 * One service's part.
	 *
	 * @param file its entry in the archive
	 * @param schemaVersion the migration version of the store its rows were read from
	 * @param sha256 of the part file
	 * @param size of the part file, in bytes
	 * @param tables rows and checksum per table, as the service reported them
	 */
	record Part(String file, String schemaVersion, String sha256, long size, Map<String, Checksum> tables) {
	}

	/** A part file and what was read of it for the manifest. */
	private record PartFile(String service, Path path, long size, long crc) {
	}

	/**
	 * Reads every part of a completed export for its SHA-256, size and CRC.
	 * @param parts each service's part, in the order the archive lists them
	 * @throws java.nio.file.NoSuchFileException if a part is no longer stored
	 */
	static ExportArchive of(TenantExport export, Map<String, Path> parts) throws IOException {
		Map<String, Part> described = new LinkedHashMap<>();
		List<PartFile> files = new java.util.ArrayList<>();
		for (Map.Entry<String, Path> part : parts.entrySet()) {
			String service = part.getKey();
			MessageDigest sha = PartVerifier.sha256();
			CRC32 crc = new CRC32();
			long size = 0;
			try (InputStream in = Files.newInputStream(part.getValue())) {
				byte[] buffer = new byte[64 * 1024];
				for (int n; (n = in.read(buffer)) > 0;) {
					sha.update(buffer, 0, n);
					crc.update(buffer, 0, n);
					size += n;
				}
			}
			TenantExport.Part reported = export.services()
				.stream()
				.filter((p) -> p.service().equals(service))
				.findFirst()
				.orElseThrow();
			described.put(service, new Part(service + ".zip", reported.schemaVersion(),
					HexFormat.of().formatHex(sha.digest()), size, reported.tables()));
			files.add(new PartFile(service, part.getValue(), size, crc.getValue()));
		}
		return new ExportArchive(new Manifest(FORMAT, export.id(), export.tenantId(), export.finishedAt(), described),
				files);
	}

	/**
	 * Writes the archive. A part that changed since it was read fails the write (its CRC
	 * no longer matches), and the download is cut short.
	 */
	void writeTo(OutputStream out, JsonMapper json) throws IOException {
		ZipOutputStream zip = new ZipOutputStream(out);
		zip.putNextEntry(new ZipEntry(MANIFEST));
		zip.write(json.writerWithDefaultPrettyPrinter().writeValueAsBytes(this.manifest));
		zip.closeEntry();
		byte[] buffer = new byte[64 * 1024];
		for (PartFile part : this.parts) {
			ZipEntry entry = new ZipEntry(part.service() + ".zip");
			entry.setMethod(ZipEntry.STORED);
			entry.setSize(part.size());
			entry.setCompressedSize(part.size());
			entry.setCrc(part.crc());
			zip.putNextEntry(entry);
			try (InputStream in = Files.newInputStream(part.path())) {
				long left = part.size();
				for (int n; left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0;) {
					zip.write(buffer, 0, n);
					left -= n;
				}
			}
			zip.closeEntry();
		}
		zip.finish();
		zip.flush();
	}

}
