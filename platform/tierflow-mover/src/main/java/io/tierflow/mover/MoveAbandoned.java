package io.tierflow.mover;

/** The move gives up, with a reason; the source stays authoritative. */
final class MoveAbandoned extends Exception {

	MoveAbandoned(String reason) {
		super(reason);
	}

	/** Gives up because of {@code cause}, which tells whether starting again may help. */
	MoveAbandoned(String reason, Throwable cause) {
		super(reason, cause);
	}

}
