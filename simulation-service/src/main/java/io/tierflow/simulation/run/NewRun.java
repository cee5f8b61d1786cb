package io.tierflow.simulation.run;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * Request to run a model.
 *
 * @param iterations how many iterations (at most the tier's per-run limit)
 * @param seed the random seed; left out, a random one is chosen (and returned with the
 * run, so the run can be repeated)
 */
record NewRun(@NotNull @Min(1) Long iterations, Long seed) {
}
