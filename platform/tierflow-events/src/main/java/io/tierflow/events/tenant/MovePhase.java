package io.tierflow.events.tenant;

/**
 * The phases a tier move reports, in the order a move passes them; {@link #ABORTED} ends
 * a move that gave up, from any phase before {@link #SWITCHED}. One type for everyone who
 * reads them: the mover and its participant, {@link TenantMoveProgress} on the wire (as
 * the phase's {@link #name()}), tenant-service's record of the move, the benchmarks.
 */
public enum MovePhase {

	/** The target store is created at the latest migration version. */
	PREPARING,

	/** The tenant's rows are copied at a consistent point. */
	COPYING,

	/** Changes stream from the source's WAL until the lag is below the cutover lag. */
	STREAMING,

	/** Source and target checksums are compared at one point of the stream. */
	VERIFYING,

	/** The tenant's writes are held on every instance while the placement switches. */
	FENCED,

	/** The placement points at the target; writers go on there. */
	SWITCHED,

	/** The tenant's data leaves the source once no instance routes there any more. */
	REMOVING_SOURCE,

	/** The move gave up: the source stays authoritative, the target is dropped. */
	ABORTED

}
