package io.tierflow.simulation.run;

import java.time.OffsetDateTime;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

/**
 * A run as the API shows it.
 *
 * @param progressPercent share of the iterations done, 0 to 100
 * @param cpuMillis CPU time of the computation, once finished
 * @param durationMillis wall-clock time of the computation, once finished
 * @param result statistics per output ({@code {"outputs": [...]}}) of a completed or
 * cancelled run; left out of listings
 * @param error why a run failed or was cancelled
 */
public record Run(UUID id, UUID modelId, RunState status, long iterations, long seed, long iterationsDone,
		double progressPercent, String requestedBy, OffsetDateTime createdAt, OffsetDateTime startedAt,
		OffsetDateTime finishedAt, Long cpuMillis, Long durationMillis, JsonNode result, String error) {

	Run withProgress(long done) {
		return new Run(this.id, this.modelId, this.status, this.iterations, this.seed, done,
				percent(done, this.iterations), this.requestedBy, this.createdAt, this.startedAt, this.finishedAt,
				this.cpuMillis, this.durationMillis, this.result, this.error);
	}

	static double percent(long done, long total) {
		return (total <= 0) ? 0 : Math.floor(10_000.0 * done / total) / 100;
	}

}
