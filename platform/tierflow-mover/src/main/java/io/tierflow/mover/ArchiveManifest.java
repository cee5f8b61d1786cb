package io.tierflow.mover;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * The manifest of one service's part of a tenant archive ({@code manifest.json}, the
 * part's last entry). The part is a ZIP file:
 * <ul>
 * <li>{@code tables/
 *
<table>
 * .copy}: the tenant's rows of the table in PostgreSQL's COPY text format, columns in
 * {@link Table#columns} order;</li>
 * <li>the entries of the service's {@link ArchiveStep}s ({@code blobs/<file id>} in
 * file-service);</li>
 * <li>{@code manifest.json}: this record.</li>
 * </ul>
 * Every entry's SHA-256 is here, so that a truncated, corrupted or altered entry is found
 * before anything is loaded; every table's row count and checksum (the sum of the first
 * 64 bits of each row's MD5, as the mover verifies a move) is checked again after it is
 * loaded.
 *
 * @param format {@value #FORMAT}
 * @param schemaVersion the migration version of the store the rows were read from
 */
public record ArchiveManifest(String format, String service, UUID tenantId, UUID archiveId, OffsetDateTime exportedAt,
		String schemaVersion, List<Table> tables, List<Entry> entries) {

	public static final String FORMAT = "tierflow-archive/1";

	public static final String NAME = "manifest.json";

	/** One table's rows in the part. */
	public record Table(String name, List<String> columns, long rows, BigDecimal checksum, String file, String sha256,
			long bytes) {
	}

	/** Any other entry (a blob, say). */
	public record Entry(String name, String sha256, long bytes) {
	}

}
