package io.tierflow.mover;

/** The move gives up, with a reason; the source stays authoritative. */
final class MoveAbandoned extends Exception {

	MoveAbandoned(String reason) {
		super(reason);
	}

}
