package io.tierflow.tenant.tenant;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tierflow.events.tenant.MovePhase;
import io.tierflow.events.tenant.TenantMigrated.Checksum;
import io.tierflow.tenancy.placement.Tier;

/**
 * A change of a tenant's plan, or a rebalance to another cluster, and how each service's
 * move went: the progress while it is open, the verification record once it is finished.
 *
 * @param services the services that take part in the forward round
 * @param reason why the change failed, or null
 * @param moves every service's move, forward round first
 */
public record TierChange(UUID id, Kind kind, Plan fromPlan, Plan toPlan, Tier fromTier, Tier toTier, Status status,
		List<String> services, String reason, String requestedBy, OffsetDateTime requestedAt, OffsetDateTime finishedAt,
		List<Move> moves) {

	/** What the change is for. */
	public enum Kind {

		/** Another plan, and with it maybe another tier. */
		TIER_CHANGE,
		/** The same plan and tier on another cluster. */
		REBALANCE

	}

	/** Where the change is. */
	public enum Status {

		/** The services move the tenant to the new placement. */
		REQUESTED,
		/** A service failed; those that moved are moving back. */
		ROLLING_BACK,
		/** Every service moved; the tenant is on the new plan. */
		COMPLETED,
		/** The tenant is back where it was, on its old plan. */
		ROLLED_BACK,
		/**
		 * Some service could not move back: the tenant is split and needs an operator.
		 */
		ROLLBACK_FAILED;

		public boolean isOpen() {
			return this == REQUESTED || this == ROLLING_BACK;
		}

	}

	/** Where one service's move is. */
	public enum MoveStatus {

		PENDING, RUNNING, SUCCEEDED, FAILED;

		public boolean isFinal() {
			return this == SUCCEEDED || this == FAILED;
		}

	}

	/**
	 * One service's move of the tenant in one round of the change.
	 *
	 * @param rollback whether this moves the tenant back after a failed forward round
	 * @param moveId the service's move, once it reported one
	 * @param phase the mover's last reported phase, or null before it reported one
	 * @param changesApplied rows copied plus changes streamed to the target so far
	 * @param lagMs the last measured lag of the stream
	 * @param tier the tier of the placement the tenant is on in that service afterwards
	 * @param fencedMs how long the tenant's writes were held at cutover
	 * @param checksums the tenant's rows per table, verified equal in source and target
	 */
	public record Move(String service, boolean rollback, MoveStatus status, UUID moveId, MovePhase phase,
			long changesApplied, Long lagMs, String reason, Tier tier, String isolation, String cluster, Long epoch,
			Long fencedMs, Map<String, Checksum> checksums, OffsetDateTime updatedAt) {
	}

}
