package io.tierflow.simulation.run;

/** Where a run is in its life. */
public enum RunState {

	/** Accepted, not computing yet (reserved: runs start RUNNING today). */
	QUEUED,

	/** Being computed by one instance of the service. */
	RUNNING,

	/** Every iteration computed; the result is stored. */
	COMPLETED,

	/** Stopped on request; the statistics of the iterations done are stored. */
	CANCELLED,

	/** Ended without a result: an error, or its instance was lost. */
	FAILED;

	boolean finished() {
		return this == COMPLETED || this == CANCELLED || this == FAILED;
	}

}
