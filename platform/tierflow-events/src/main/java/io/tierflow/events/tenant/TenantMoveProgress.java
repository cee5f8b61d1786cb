package io.tierflow.events.tenant;

import java.util.UUID;

/**
 * Data of {@code tierflow.tenant.move_progress.v1}: how far one service's move of a
 * tenant is (sent on every phase change and about once a second meanwhile).
 *
 * @param phase the phase the move is in, as its name; a name that is no {@link MovePhase}
 * makes the event unreadable
 * @param changesApplied rows copied plus changes streamed to the target so far
 * @param lagMs the last measured lag of the stream, or null before it was measured
 */
public record TenantMoveProgress(UUID tenantId, UUID changeId, boolean rollback, String service, UUID moveId,
		MovePhase phase, long changesApplied, Long lagMs) {
}
