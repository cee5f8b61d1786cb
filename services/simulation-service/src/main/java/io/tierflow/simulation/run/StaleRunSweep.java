package io.tierflow.simulation.run;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantPlacement;
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
 * run. Every instance sweeps; row locks ({@code for update skip locked}) and the RUNNING
 * guard keep two sweeps from failing a run twice.
 * <p>
 * The sweep visits every ready tenant of the service's placements, one short transaction
 * each, which is fine for hundreds of tenants; for many thousands a per-placement index
 * of running runs would be the next step.
 */
@Component
class StaleRunSweep implements SchedulingConfigurer {

	private static final Logger log = LoggerFactory.getLogger(StaleRunSweep.class);

	private static final int PAGE = 500;

	private final PlacementRepository placements;

	private final RunOutcomes outcomes;

	private final LiveRuns live;

	private final SimulationProperties properties;

	StaleRunSweep(PlacementRepository placements, RunOutcomes outcomes, LiveRuns live,
			SimulationProperties properties) {
		this.placements = placements;
		this.outcomes = outcomes;
		this.live = live;
		this.properties = properties;
	}

	@Override
	public void configureTasks(ScheduledTaskRegistrar registrar) {
		Duration every = this.properties.sweepInterval();
		registrar.addFixedDelayTask(new FixedDelayTask(this::sweep, every, every));
	}

	/**
	 * @return the number of runs failed as lost
	 */
	int sweep() {
		long staleSeconds = Math.max(1, this.properties.staleAfter().toSeconds());
		Set<UUID> computedHere = this.live.computedHere();
		int failed = 0;
		for (int offset = 0;; offset += PAGE) {
			List<TenantPlacement> page;
			try {
				page = this.placements.findAll(PAGE, offset);
			}
			catch (RuntimeException ex) {
				log.warn("Cannot list the placements for the stale-run sweep", ex);
				return failed;
			}
			for (TenantPlacement placement : page) {
				if (placement.state() != PlacementState.READY || placement.suspended()) {
					continue;
				}
				try {
					failed += TenantContext.call(placement.tenantId(),
							() -> this.outcomes.failStale(staleSeconds, computedHere));
				}
				catch (RuntimeException ex) {
					// A moving or unreachable tenant is swept next time.
					log.debug("Stale-run sweep skipped tenant {}: {}", placement.tenantId(), ex.toString());
				}
			}
			if (page.size() < PAGE) {
				break;
			}
		}
		if (failed > 0) {
			log.warn("Stale-run sweep failed {} runs whose instance stopped", failed);
		}
		return failed;
	}

}
