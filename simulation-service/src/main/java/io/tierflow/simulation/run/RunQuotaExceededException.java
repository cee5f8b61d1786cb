package io.tierflow.simulation.run;

import java.time.Duration;
import java.time.Instant;

import io.tierflow.tenancy.placement.Tier;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A run the tenant's tier does not allow, answered as problem+json naming the limit: too
 * many iterations for one run (403, asking again will not help), or too many runs this
 * month or at once (429, with {@code Retry-After}).
 *
 * @see SimulationProperties.Quotas
 */
class RunQuotaExceededException extends ErrorResponseException {

	private RunQuotaExceededException(HttpStatus status, String title, String detail, Tier tier, String limit,
			long value) {
		super(status, problem(status, title, detail, tier, limit, value), null);
	}

	static RunQuotaExceededException iterations(Tier tier, long asked, long limit) {
		RunQuotaExceededException ex = new RunQuotaExceededException(HttpStatus.FORBIDDEN, "Iteration limit exceeded",
				"A run on the " + tier + " tier may have at most " + limit + " iterations; " + asked
						+ " were asked for",
				tier, "iterationsPerRun", limit);
		ex.getBody().setProperty("iterations", asked);
		return ex;
	}

	static RunQuotaExceededException monthly(Tier tier, long limit, int seats, Instant now, Instant resetsAt) {
		RunQuotaExceededException ex = new RunQuotaExceededException(HttpStatus.TOO_MANY_REQUESTS,
				"Monthly run limit reached", "The tenant may start " + limit + " runs a calendar month (UTC) on the "
						+ tier + " tier with " + seats + " users, and they are used; the count resets at " + resetsAt,
				tier, "runsPerMonth", limit);
		ex.getBody().setProperty("seats", seats);
		ex.getBody().setProperty("resetsAt", resetsAt.toString());
		ex.getHeaders()
			.set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, Duration.between(now, resetsAt).toSeconds())));
		return ex;
	}

	static RunQuotaExceededException concurrent(Tier tier, long limit) {
		RunQuotaExceededException ex = new RunQuotaExceededException(HttpStatus.TOO_MANY_REQUESTS,
				"Concurrent run limit reached",
				"The " + tier + " tier allows " + limit
						+ " runs at a time and that many are running; start this one when one of them has finished",
				tier, "concurrentRuns", limit);
		// A small run ends in seconds; a client waits and asks again.
		ex.getHeaders().set(HttpHeaders.RETRY_AFTER, "5");
		return ex;
	}

	private static ProblemDetail problem(HttpStatus status, String title, String detail, Tier tier, String limit,
			long value) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setTitle(title);
		problem.setProperty("tier", tier.name());
		problem.setProperty("limit", limit);
		problem.setProperty("limitValue", value);
		return problem;
	}

	@Override
	public String getMessage() {
		return getBody().getDetail();
	}

}
