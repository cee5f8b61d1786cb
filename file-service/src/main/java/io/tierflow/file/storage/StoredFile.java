package io.tierflow.file.storage;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A tenant's file as the API shows it.
 *
 * @param size bytes
 * @param sha256 SHA-256 of the content, lower-case hex; also the download's ETag
 * @param folderId the folder it is filed in, or null
 */
public record StoredFile(UUID id, String name, String contentType, long size, String sha256, UUID folderId,
		String uploadedBy, OffsetDateTime createdAt) {
}
