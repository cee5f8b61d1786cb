package io.tierflow.file.storage;

import io.tierflow.tenancy.placement.Tier;

/**
 * What the tenant stores against its quota.
 *
 * @param tier the tier whose quota applies
 * @param bytes bytes stored
 * @param files files stored
 * @param seats users of the tenant, each adding to the quota
 * @param quota bytes the tenant may store: the tier's base plus the seats' allowance
 */
public record StorageUsage(Tier tier, long bytes, long files, int seats, long quota) {
}
