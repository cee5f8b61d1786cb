package io.tierflow.events.platform;

/**
 * Data of {@code tierflow.platform.clusters_full.v1} on {@code tierflow.platform}: a
 * service's cluster is above its high-water mark, and no other cluster of its role and
 * region has room to take tenants from it. Tierflow does not create PostgreSQL clusters:
 * the operator adds one and registers it.
 *
 * @param service the tenant-data service
 * @param role the clusters' role ({@code DEDICATED})
 * @param region the clusters' region
 * @param cluster the cluster above its mark
 * @param tenants tenants placed on it
 * @param capacity the most it may hold
 * @param highWaterMark the share of its capacity above which it hands tenants over
 */
public record ClustersFull(String service, String role, String region, String cluster, int tenants, int capacity,
		double highWaterMark) {

}
