package io.tierflow.file.storage;

import io.tierflow.tenancy.placement.Tier;

/**
 * What the tenant stores against its quota.
 *
 * @param tier the tier whose quota applies
 * @param bytes bytes stored
 * @param files files stored
 * @param quota bytes the tier allows
 */
public record StorageUsage(Tier tier, long bytes, long files, long quota) {
}
