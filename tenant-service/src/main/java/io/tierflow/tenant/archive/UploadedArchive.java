package io.tierflow.tenant.archive;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An uploaded export ({@link ExportArchive}'s format) taken apart and checked: its
 * manifest, and every service's part there with the manifest's SHA-256 and size, each
 * part written to a file of its own for the {@link PartVerifier} and then for the service
 * that loads it.
 *
 * <p>
 * The archive is read in order, from its local headers, not through its central
 * directory: its parts are ZIP files stored as they are, so a truncated archive ends in
 * the middle of one, and the central directory of the last whole part would pass for the
 * archive's own. Read in order, the entry where it ends names the service. What is read
 * is bounded: the entries together, inflated, may not pass the largest upload (an archive
 * stores its parts as they are, so a larger one is not an export of this format).
 */
final class UploadedArchive {

	private static final int MANIFEST_LIMIT = 1024 * 1024;

	private UploadedArchive() {
	}

	/** The parts of a checked archive, and whose they are. */
	record Unpacked(UUID tenantId, UUID exportId, Map<String, Path> parts) {
	}

	/** A part as read from the archive. */
	private record Extracted(Path file, String sha256, long size) {
	}

	/**
	 * Checks the archive at {@code upload} and writes each service's part into
	 * {@code staging}.
	 * @param services the services that must each have a part, and no other
	 * @param maxBytes the most the entries may hold together
	 * @throws InvalidArchiveException naming the service whose part is missing, cut short
	 * or not the one the manifest describes
	 */
	static Unpacked unpack(Path upload, Path staging, List<String> services, long maxBytes, JsonMapper json)
			throws InvalidArchiveException, IOException {
		JsonNode manifest = null;
		Map<String, Extracted> extracted = new LinkedHashMap<>();
		long[] budget = { maxBytes + MANIFEST_LIMIT };
		String reading = null;
		try (ZipInputStream zip = new ZipInputStream(new BufferedInputStream(Files.newInputStream(upload)))) {
			for (ZipEntry entry; (entry = zip.getNextEntry()) != null;) {
				reading = entry.getName();
				String service = service(reading, services);
				if (reading.equals(ExportArchive.MANIFEST) && manifest == null) {
					manifest = manifest(zip, json, budget);
				}
				else if (service != null && !extracted.containsKey(service)) {
					extracted.put(service, extract(zip, service, staging, budget));
				}
				else {
					throw new InvalidArchiveException(null, null,
							"The archive has an entry " + reading + " that an export does not have, or has it twice");
				}
				reading = null;
			}
		}
		catch (ZipException | EOFException ex) {
			throw truncated(reading, services, extracted, ex);
		}
		if (manifest == null) {
			throw (extracted.isEmpty())
					? new InvalidArchiveException(null, null,
							"The archive is not a Tierflow export: it is not a" + " ZIP file, or has no "
									+ ExportArchive.MANIFEST)
					: new InvalidArchiveException(null, null,
							"The archive has no " + ExportArchive.MANIFEST + ": it is not a Tierflow export");
		}
		return check(manifest, extracted, services);
	}

	/** The manifest against the parts read. */
	private static Unpacked check(JsonNode manifest, Map<String, Extracted> extracted, List<String> services)
			throws InvalidArchiveException {
		UUID tenantId = PartVerifier.uuid(text(manifest, "tenantId"));
		UUID exportId = PartVerifier.uuid(text(manifest, "exportId"));
		JsonNode described = manifest.get("services");
		if (!ExportArchive.FORMAT.equals(text(manifest, "format")) || tenantId == null || described == null
				|| !described.isObject()) {
			throw new InvalidArchiveException(null, null, "Its manifest is not a " + ExportArchive.FORMAT
					+ " manifest (format, tenantId and services are required)");
		}
		for (String service : described.propertyNames()) {
			if (!services.contains(service)) {
				throw new InvalidArchiveException(service, null,
						"the archive has a part for it, but it takes no part in this suite " + services);
			}
		}
		Map<String, Path> parts = new LinkedHashMap<>();
		for (String service : services) {
			JsonNode part = described.get(service);
			Extracted read = extracted.get(service);
			if (part == null || !part.isObject() || read == null) {
				throw new InvalidArchiveException(service, null, "the archive has no part for this service");
			}
			String sha256 = text(part, "sha256");
			JsonNode size = part.get("size");
			if (sha256 == null || size == null || !size.canConvertToLong()) {
				throw new InvalidArchiveException(service, null, "the manifest gives no SHA-256 and size of its part");
			}
			if (size.asLong() != read.size() || !sha256.equalsIgnoreCase(read.sha256())) {
				throw new InvalidArchiveException(service, null,
						"its part does not match the manifest's SHA-256 and size (truncated, corrupted or altered)");
			}
			parts.put(service, read.file());
		}
		return new Unpacked(tenantId, exportId, parts);
	}

	private static JsonNode manifest(ZipInputStream zip, JsonMapper json, long[] budget)
			throws InvalidArchiveException, IOException {
		byte[] bytes = zip.readNBytes(MANIFEST_LIMIT + 1);
		budget[0] -= bytes.length;
		if (bytes.length > MANIFEST_LIMIT) {
			throw new InvalidArchiveException(null, null,
					"Its " + ExportArchive.MANIFEST + " is larger than " + MANIFEST_LIMIT + " bytes");
		}
		try {
			JsonNode manifest = json.readTree(bytes);
			if (manifest == null || !manifest.isObject()) {
				throw new InvalidArchiveException(null, null,
						"Its " + ExportArchive.MANIFEST + " is not a JSON object");
			}
			return manifest;
		}
		catch (JacksonException ex) {
			throw new InvalidArchiveException(null, null,
					"Its " + ExportArchive.MANIFEST + " is unreadable: " + ex.getOriginalMessage());
		}
	}

	/**
	 * Writes one service's part to {@code <staging>/<service>.zip}, within the budget.
	 */
	private static Extracted extract(ZipInputStream zip, String service, Path staging, long[] budget)
			throws InvalidArchiveException, IOException {
		Path file = staging.resolve(service + ".zip");
		MessageDigest sha = PartVerifier.sha256();
		long size = 0;
		try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha)) {
			byte[] buffer = new byte[64 * 1024];
			for (int n; (n = zip.read(buffer, 0, (int) Math.min(buffer.length, budget[0] + 1))) > 0;) {
				out.write(buffer, 0, n);
				size += n;
				budget[0] -= n;
				if (budget[0] < 0) {
					throw new InvalidArchiveException(service, null,
							"the archive holds more than the largest import (tierflow.tenants.max-import-size)");
				}
			}
		}
		return new Extracted(file, HexFormat.of().formatHex(sha.digest()), size);
	}

	/**
	 * The archive ends, or breaks, in the middle of an entry: the service whose part that
	 * is, or else the first whose part never came.
	 */
	private static InvalidArchiveException truncated(String reading, List<String> services,
			Map<String, Extracted> extracted, IOException ex) {
		String service = (reading != null) ? service(reading, services) : null;
		if (service == null && reading == null && !extracted.isEmpty()) {
			service = services.stream().filter((s) -> !extracted.containsKey(s)).findFirst().orElse(null);
		}
		return (service != null)
				? new InvalidArchiveException(service, null,
						"its part is cut short or missing: the archive is truncated or damaged (" + ex.getMessage()
								+ ")")
				: new InvalidArchiveException(null, null,
						"The archive is not a readable ZIP file: truncated or damaged (" + ex.getMessage() + ")");
	}

	/** The service whose part an entry is, or null. */
	private static String service(String entry, List<String> services) {
		if (!entry.endsWith(".zip")) {
			return null;
		}
		String service = entry.substring(0, entry.length() - 4);
		return services.contains(service) ? service : null;
	}

	private static String text(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value != null && value.isString()) ? value.asString() : null;
	}

}
