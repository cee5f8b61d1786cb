package io.tierflow.events.file;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Data of {@code tierflow.file.deleted.v1}: a tenant's file is gone; its {@code bytes} no
 * longer count against the tenant's storage.
 *
 * @param tenantId the tenant that owned the file
 * @param fileId the file
 * @param bytes the size the file had, in bytes
 * @param deletedBy the subject of the token that deleted it
 * @param deletedAt when the deletion committed
 */
public record FileDeleted(UUID tenantId, UUID fileId, long bytes, String deletedBy, OffsetDateTime deletedAt) {
}
