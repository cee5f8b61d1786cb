package io.tierflow.events.tenant;

import java.util.UUID;

/**
 * Data of {@code tierflow.tenant.export_requested.v1}: every tenant-data service writes
 * its part of archive {@code exportId} (its rows of every table at one snapshot, with
 * their checksums, and its blobs) and answers {@code tenant.exported}.
 */
public record TenantExportRequested(UUID tenantId, UUID exportId) {
}
