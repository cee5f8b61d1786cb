package io.tierflow.simulation.run;

import java.time.Instant;

import io.tierflow.tenancy.placement.Tier;

/**
 * A tenant's run quota and what it has used of it.
 *
 * @param tier the tier whose limits apply
 * @param seats users of the tenant, each adding to the monthly runs
 * @param iterationsPerRun most iterations one run may ask for
 * @param runsPerMonth runs the tenant may start this calendar month (UTC); {@code -1}:
 * unlimited
 * @param runsThisMonth runs started this month
 * @param resetsAt when the monthly count starts again
 * @param concurrentRuns most runs computing at once
 * @param running runs computing now
 */
record RunQuota(Tier tier, int seats, long iterationsPerRun, long runsPerMonth, long runsThisMonth, Instant resetsAt,
		int concurrentRuns, long running) {
}
