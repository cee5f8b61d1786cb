package io.tierflow.simulation.engine;

/**
 * What to run: how many iterations, and the seed that makes the run reproducible (the
 * same model, seed and iterations give bit-identical results on any number of threads).
 *
 * @param iterations at least 1
 * @param seed any value
 */
public record RunSettings(long iterations, long seed) {

	public RunSettings {
		if (iterations < 1) {
			throw new IllegalArgumentException("A run needs at least 1 iteration, got " + iterations);
		}
	}

}
