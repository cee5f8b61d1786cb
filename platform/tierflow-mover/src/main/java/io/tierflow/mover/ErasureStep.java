package io.tierflow.mover;

import java.util.Map;
import java.util.UUID;

/**
 * A service's own part of erasing a tenant, beyond the rows of its stores, which the
 * {@link TenantEraser} removes: blobs, parked events, invoices kept for the law. Every
 * method must be safe to run again after a crash.
 */
public interface ErasureStep {

	/**
	 * Runs first, while the tenant's store still serves the platform (the tenant is bound
	 * with {@link io.tierflow.tenancy.context.TenantContext#openForMaintenance}, inside
	 * no transaction): billing's final invoice, say. Skipped when an erase is resumed
	 * after its store was counted.
	 */
	default void beforeErase(UUID tenant) {
	}

	/**
	 * What {@link #erase} will remove, by name ({@code blobs}, {@code blobBytes}, ...):
	 * counted once, before anything is removed, and kept in the report.
	 */
	default Map<String, Long> removes(UUID tenant) {
		return Map.of();
	}

	/** What stays on purpose, by name (billing: {@code invoices}); kept in the report. */
	default Map<String, Long> keeps(UUID tenant) {
		return Map.of();
	}

	/** Removes what this step owns outside the tenant's stores. */
	default void erase(UUID tenant) throws Exception {
	}

}
