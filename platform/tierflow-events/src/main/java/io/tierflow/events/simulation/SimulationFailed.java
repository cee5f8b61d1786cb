package io.tierflow.events.simulation;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Data of {@code tierflow.simulation.failed.v1}: a run ended without results — it failed
 * or was cancelled ({@code cancelled}).
 *
 * @param iterationsDone iterations computed before it ended
 */
public record SimulationFailed(UUID tenantId, UUID runId, UUID modelId, long iterationsDone, boolean cancelled,
		String reason, String requestedBy, OffsetDateTime failedAt) {
}
