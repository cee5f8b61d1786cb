package io.tierflow.tenant.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks one service's part of a tenant archive before anything is created from it: a
 * readable ZIP file whose {@code manifest.json} is a {@value #FORMAT} manifest of that
 * service, and every table and entry the manifest lists is there with the SHA-256 it
 * gives. The service checks the same again when it loads the part, and then every table's
 * rows and checksum; this check makes a damaged archive a 422 at once, naming the service
 * and the table, instead of a tenant that is created and then erased.
 *
 * <p>
 * Cost: each entry is read once, and never more than the size its manifest gives (plus
 * one byte, to tell that it is longer); the sizes together may not pass
 * {@link #EXPANSION} times the part's own size, so a small part cannot make the check
 * inflate without end.
 */
class PartVerifier {

	/** The format of a service's part, as the services write it. */
	static final String FORMAT = "tierflow-archive/1";

	static final String MANIFEST = "manifest.json";

	/**
	 * How much larger than its part the entries may be together. The rows are COPY text
	 * compressed at the fastest level, which shrinks them 3 to 10 times; blobs hardly
	 * shrink.
	 */
	static final long EXPANSION = 64;

	/** The largest manifest read: the one of a part with some 100,000 blobs. */
	private static final int MANIFEST_LIMIT = 16 * 1024 * 1024;

	private final JsonMapper json;

	PartVerifier(JsonMapper json) {
		this.json = json;
	}

	/** What a checked part says of itself. */
	record Checked(String service, UUID tenantId, String schemaVersion) {
	}

	/**
	 * @param tenantId the tenant the part must have been written for, or null for any
	 * @throws InvalidArchiveException naming the service, and the table or entry when one
	 * is at fault
	 */
	Checked verify(String service, Path part, UUID tenantId) throws InvalidArchiveException {
		if (!Files.isRegularFile(part)) {
			throw new InvalidArchiveException(service, null, "the archive has no part for this service");
		}
		try (ZipFile zip = new ZipFile(part.toFile())) {
			JsonNode manifest = manifest(service, zip);
			String format = text(manifest, "format");
			String writer = text(manifest, "service");
			UUID writtenFor = uuid(text(manifest, "tenantId"));
			JsonNode tables = manifest.get("tables");
			JsonNode entries = manifest.get("entries");
			if (!FORMAT.equals(format) || !service.equals(writer) || writtenFor == null || tables == null
					|| !tables.isArray() || entries == null || !entries.isArray()) {
				throw new InvalidArchiveException(service, null,
						"its manifest is not a " + FORMAT + " manifest of " + service);
			}
			if (tenantId != null && !tenantId.equals(writtenFor)) {
				throw new InvalidArchiveException(service, null,
						"its part was written for tenant " + writtenFor + ", the archive is of tenant " + tenantId);
			}
			long[] budget = { Files.size(part) * EXPANSION };
			for (JsonNode table : tables) {
				String name = text(table, "name");
				if (name == null) {
					throw new InvalidArchiveException(service, null, "its manifest lists a table without a name");
				}
				check(service, zip, name, text(table, "file"), text(table, "sha256"), table.get("bytes"), budget);
			}
			for (JsonNode entry : entries) {
				String name = text(entry, "name");
				check(service, zip, name, name, text(entry, "sha256"), entry.get("bytes"), budget);
			}
			return new Checked(service, writtenFor, text(manifest, "schemaVersion"));
		}
		catch (ZipException ex) {
			throw new InvalidArchiveException(service, null,
					"its part is not a readable ZIP file (truncated?): " + ex.getMessage());
		}
		catch (IOException ex) {
			throw new InvalidArchiveException(service, null, "its part cannot be read: " + ex.getMessage());
		}
	}

	private JsonNode manifest(String service, ZipFile zip) throws InvalidArchiveException {
		ZipEntry entry = zip.getEntry(MANIFEST);
		if (entry == null) {
			throw new InvalidArchiveException(service, null, "its part has no manifest (truncated?)");
		}
		try (InputStream in = zip.getInputStream(entry)) {
			byte[] bytes = in.readNBytes(MANIFEST_LIMIT + 1);
			if (bytes.length > MANIFEST_LIMIT) {
				throw new InvalidArchiveException(service, null,
						"its manifest is larger than " + MANIFEST_LIMIT + " bytes");
			}
			JsonNode manifest = this.json.readTree(bytes);
			if (manifest == null || !manifest.isObject()) {
				throw new InvalidArchiveException(service, null, "its manifest is not a JSON object");
			}
			return manifest;
		}
		catch (IOException | JacksonException ex) {
			throw new InvalidArchiveException(service, null, "its manifest is unreadable: " + ex.getMessage());
		}
	}

	/** Reads the entry to its end or its declared size, and compares its SHA-256. */
	private static void check(String service, ZipFile zip, String what, String name, String sha256, JsonNode bytes,
			long[] budget) throws InvalidArchiveException {
		ZipEntry entry = (name != null) ? zip.getEntry(name) : null;
		if (entry == null || sha256 == null) {
			throw new InvalidArchiveException(service, what, "its entry " + name + " is missing");
		}
		long declared = (bytes != null && bytes.canConvertToLong()) ? bytes.asLong() : budget[0];
		if (declared < 0 || declared > budget[0]) {
			throw new InvalidArchiveException(service, what,
					"its manifest gives it more bytes than its part can hold (" + declared + ")");
		}
		MessageDigest sha = sha256();
		long read = 0;
		try (InputStream in = new DigestInputStream(zip.getInputStream(entry), sha)) {
			byte[] buffer = new byte[64 * 1024];
			for (int n; (n = in.read(buffer, 0, (int) Math.min(buffer.length, declared + 1 - read))) > 0;) {
				read += n;
				if (read > declared) {
					break;
				}
			}
		}
		catch (IOException ex) {
			throw new InvalidArchiveException(service, what, "it cannot be read (truncated?): " + ex.getMessage());
		}
		budget[0] -= read;
		if (read > declared || !HexFormat.of().formatHex(sha.digest()).equalsIgnoreCase(sha256)) {
			throw new InvalidArchiveException(service, what,
					"its bytes do not match the manifest's SHA-256 (truncated, corrupted or altered)");
		}
	}

	private static String text(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value != null && value.isString()) ? value.asString() : null;
	}

	static UUID uuid(String text) {
		try {
			return (text != null) ? UUID.fromString(text) : null;
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
