package io.tierflow.simulation.engine;

/**
 * Told how far a run has got. Called from the run's worker threads, never two calls at
 * once, about every {@link MonteCarloEngine#PROGRESS_INTERVAL} while iterations complete,
 * and once more when the run ends; it must return quickly (hand the numbers to another
 * thread, an SSE emitter for instance), since a worker waits for it.
 */
@FunctionalInterface
public interface ProgressListener {

	ProgressListener NONE = (done, total) -> {
	};

	void progress(long iterationsDone, long iterationsTotal);

}
