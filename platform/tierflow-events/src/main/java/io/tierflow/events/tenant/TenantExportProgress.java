package io.tierflow.events.tenant;

import java.util.UUID;

/**
 * Data of {@code tierflow.tenant.export_progress.v1}: how far one service has written its
 * part of an export.
 */
public record TenantExportProgress(UUID tenantId, UUID exportId, String service, long rowsWritten, long bytesWritten) {
}
