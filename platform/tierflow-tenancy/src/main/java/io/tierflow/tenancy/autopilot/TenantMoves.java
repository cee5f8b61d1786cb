package io.tierflow.tenancy.autopilot;

import java.util.UUID;

import io.tierflow.tenancy.placement.Tier;

/**
 * Moves a tenant's placement in this service to another tier, live and verified: the
 * tier-move machinery of {@code tierflow-mover}, which the {@link Autopilot} cannot reach
 * from the tenancy core.
 */
@FunctionalInterface
public interface TenantMoves {

	/** Runs the move to its end; a move that fails says why in its result. */
	Result move(UUID tenant, Tier to) throws Exception;

	/** How a move ended. */
	record Result(UUID move, boolean succeeded, String reason) {
	}

}
