package io.tierflow.tenancy.migration;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.PlacementStore;
import io.tierflow.tenancy.placement.StoreKey;

/** How a rollout's stores are grouped into waves ({@link MigrationRollouts}). */
final class RolloutWaves {

	private RolloutWaves() {
	}

	/**
	 * The stores in waves: the canary from the single-tenant stores, oldest first (a
	 * broken migration then costs a few tenants, never the shared schema); then the
	 * shared stores and the rest in batches.
	 */
	static List<List<StoreKey>> of(List<PlacementStore> behind, int canary, int batchSize) {
		List<StoreKey> single = behind.stream()
			.filter((s) -> s.isolation() != IsolationMode.ROW)
			.map(PlacementStore::key)
			.toList();
		List<StoreKey> shared = behind.stream()
			.filter((s) -> s.isolation() == IsolationMode.ROW)
			.map(PlacementStore::key)
			.toList();
		List<StoreKey> order = new ArrayList<>(behind.size());
		int canaryCount = Math.min(canary, single.isEmpty() ? shared.size() : single.size());
		List<StoreKey> first = single.isEmpty() ? shared : single;
		order.addAll(first.subList(0, canaryCount));
		List<List<StoreKey>> waves = new ArrayList<>();
		if (canaryCount > 0) {
			waves.add(List.copyOf(order));
		}
		List<StoreKey> rest = new ArrayList<>();
		if (!single.isEmpty()) {
			rest.addAll(shared);
		}
		rest.addAll(first.subList(canaryCount, first.size()));
		for (int i = 0; i < rest.size(); i += batchSize) {
			waves.add(rest.subList(i, Math.min(rest.size(), i + batchSize)));
		}
		return Collections.unmodifiableList(waves);
	}

}
