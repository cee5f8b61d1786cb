package io.tierflow.events.simulation;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Data of {@code tierflow.simulation.completed.v1}: a run finished with results. Billing
 * meters {@code iterations}.
 *
 * @param cpuMillis CPU time the run's threads spent
 * @param durationMillis wall-clock time from start to finish
 */
public record SimulationCompleted(UUID tenantId, UUID runId, UUID modelId, long iterations, long cpuMillis,
		long durationMillis, String requestedBy, OffsetDateTime completedAt) {
}
