package io.tierflow.simulation.run;

import java.time.Duration;
import java.util.Set;
import java.util.UUID;

import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.lease.JobLease;
import io.tierflow.tenancy.lease.JobLeases;
import io.tierflow.tenancy.placement.StoreProbe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * Fails runs that are RUNNING without a heartbeat for
 * {@code tierflow.simulation.stale-after}: their instance died (a crash, a killed pod)
 * before it could record their end. Each gets {@code simulation.failed} like any failed
 * run. One instance at a time sweeps, the holder of the sweep's {@link JobLease} in the
 * control database; it leaves alone the runs it computes itself, whose heartbeats merely
 * lag. Row locks ({@code for update skip locked}) and the RUNNING guard would keep two
 * sweeps from failing a run twice all the same.
 * <p>
 * Only tenants that have such a run are visited: a {@link StoreProbe} asks each database
 * at once (a statement per shared schema and per hundred tenant schemas), so an idle
 * sweep over thousands of tenants costs a few statements, not a transaction per tenant.
 */
@Component
class StaleRunSweep implements SchedulingConfigurer {

	private static final Logger log = LoggerFactory.getLogger(StaleRunSweep.class);

	/**
	 * A sweep is a probe (milliseconds over a thousand tenants) and a short transaction
	 * per tenant with a lost run: if its holder dies mid-sweep, lost runs wait this much
	 * longer to be failed.
	 */
	private static final Duration LEASE_AT_MOST = Duration.ofMinutes(5);

	private final StoreProbe probe;

	private final RunOutcomes outcomes;

	private final LiveRuns live;

	private final SimulationProperties properties;

	private final JobLeases leases;

	StaleRunSweep(StoreProbe probe, RunOutcomes outcomes, LiveRuns live, SimulationProperties properties,
			JobLeases leases) {
		this.probe = probe;
		this.outcomes = outcomes;
		this.live = live;
		this.properties = properties;
		this.leases = leases;
	}

	@Override
	public void configureTasks(ScheduledTaskRegistrar registrar) {
		Duration every = this.properties.sweepInterval();
		JobLease lease = new JobLease("simulation.stale-run-sweep", every, LEASE_AT_MOST);
		registrar.addFixedDelayTask(new FixedDelayTask(() -> this.leases.run(lease, this::sweep), every, every));
	}

	/**
	 * @return the number of runs failed as lost
	 */
	int sweep() {
		long staleSeconds = Math.max(1, this.properties.staleAfter().toSeconds());
		Set<UUID> computedHere = this.live.computedHere();
		Set<UUID> tenants;
		try {
			// The same test as the locking query's, in every store at once: only tenants
			// with a run gone quiet get a transaction.
			tenants = this.probe.tenantsWith("simulation_run", "status in ('QUEUED', 'RUNNING')"
					+ " and coalesce(heartbeat_at, created_at) < now() - interval '" + staleSeconds + " seconds'");
		}
		catch (RuntimeException ex) {
			log.warn("Cannot look for stale runs: {}", ex.toString());
			return 0;
		}
		int failed = 0;
		for (UUID tenant : tenants) {
			try {
				failed += TenantContext.call(tenant, () -> this.outcomes.failStale(staleSeconds, computedHere));
			}
			catch (RuntimeException ex) {
				// A moving or unreachable tenant is swept next time.
				log.debug("Stale-run sweep skipped tenant {}: {}", tenant, ex.toString());
			}
		}
		if (failed > 0) {
			log.warn("Stale-run sweep failed {} runs whose instance stopped", failed);
		}
		return failed;
	}

}
