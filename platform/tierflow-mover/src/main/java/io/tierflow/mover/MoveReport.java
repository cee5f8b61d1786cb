package io.tierflow.mover;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import io.tierflow.tenancy.placement.TenantPlacement;

/**
 * How a tier move of one tenant in one service ended.
 *
 * @param move the move's id
 * @param from the placement before
 * @param to the placement after (epoch + 1) if it succeeded, the abandoned target if not
 * @param succeeded whether the tenant now lives in {@code to}
 * @param reason why it was given up, when it was
 * @param sourceChecksums the tenant's rows per table in the source, under the fence
 * @param targetChecksums the same in the target
 * @param changesApplied row changes copied and streamed
 * @param fenced how long the tenant's writes were held
 */
public record MoveReport(UUID move, TenantPlacement from, TenantPlacement to, boolean succeeded, String reason,
		Map<String, TableChecksum> sourceChecksums, Map<String, TableChecksum> targetChecksums, long changesApplied,
		Duration fenced) {
}
