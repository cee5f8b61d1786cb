package io.tierflow.events.file;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Data of {@code tierflow.file.uploaded.v1}: a file was stored for a tenant, blob and
 * metadata both in place. Billing meters storage (GB-months) from {@code bytes} between
 * this and the matching {@link FileDeleted}.
 *
 * @param tenantId the tenant that owns the file
 * @param fileId the file
 * @param name the file name as uploaded
 * @param contentType the media type the file is served with
 * @param bytes the stored size in bytes
 * @param sha256 SHA-256 of the content, lower-case hex
 * @param uploadedBy the subject of the token that uploaded it
 * @param uploadedAt when the upload committed
 */
public record FileUploaded(UUID tenantId, UUID fileId, String name, String contentType, long bytes, String sha256,
		String uploadedBy, OffsetDateTime uploadedAt) {
}
