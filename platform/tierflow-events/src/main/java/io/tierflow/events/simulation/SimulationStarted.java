package io.tierflow.events.simulation;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Data of {@code tierflow.simulation.started.v1}: a run of a model began.
 *
 * @param requestedBy the user (token subject) who started it
 */
public record SimulationStarted(UUID tenantId, UUID runId, UUID modelId, long iterations, long seed, String requestedBy,
		OffsetDateTime startedAt) {
}
