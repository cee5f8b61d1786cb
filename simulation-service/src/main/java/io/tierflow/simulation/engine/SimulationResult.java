package io.tierflow.simulation.engine;

import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The outcome of a run: per output, its statistics.
 *
 * @param status whether every iteration was computed
 * @param iterations the iterations asked for
 * @param iterationsDone the iterations computed (fewer if cancelled)
 * @param duration wall-clock time of the run
 * @param cpuTime CPU time of the run's worker threads, {@link Duration#ZERO} where the
 * JVM cannot measure it
 * @param outputs statistics of every output, in the model's order
 */
public record SimulationResult(RunStatus status, long iterations, long iterationsDone, Duration duration,
		Duration cpuTime, List<OutputStatistics> outputs) {

	public SimulationResult {
		outputs = List.copyOf(outputs);
	}

	public OutputStatistics output(String name) {
		return this.outputs.stream()
			.filter((output) -> output.name().equals(name))
			.findFirst()
			.orElseThrow(() -> new NoSuchElementException("No output named " + name));
	}

}
