package io.tierflow.simulation.engine;

/** How a run ended. */
public enum RunStatus {

	/** Every iteration was computed. */
	COMPLETED,

	/** Cancelled before the end; the statistics cover the iterations done. */
	CANCELLED

}
