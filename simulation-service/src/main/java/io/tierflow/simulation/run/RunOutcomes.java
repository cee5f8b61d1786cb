package io.tierflow.simulation.run;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.outbox.Outbox;
import io.tierflow.events.simulation.SimulationCompleted;
import io.tierflow.events.simulation.SimulationFailed;
import io.tierflow.simulation.engine.RunStatus;
import io.tierflow.simulation.engine.SimulationResult;
import io.tierflow.tenancy.context.TenantContext;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Records how runs ended: the run's row and its event in one transaction of the current
 * tenant, so that billing and notifications hear of exactly the runs that are stored as
 * ended. A run that is no longer RUNNING (the sweep failed it first) is left as it is and
 * no event is written.
 */
@Component
class RunOutcomes {

	private final RunRepository runs;

	private final Outbox outbox;

	private final JsonMapper json;

	private final TransactionTemplate tx;

	RunOutcomes(RunRepository runs, Outbox outbox, JsonMapper json, PlatformTransactionManager transactionManager) {
		this.runs = runs;
		this.outbox = outbox;
		this.json = json;
		this.tx = new TransactionTemplate(transactionManager);
	}

	/** A computation that ended with a result: all iterations, or cancelled part way. */
	Optional<Run> ended(UUID runId, SimulationResult result) {
		UUID tenant = TenantContext.require();
		String statistics = this.json.writeValueAsString(Map.of("outputs", result.outputs()));
		long cpu = result.cpuTime().toMillis();
		long duration = result.duration().toMillis();
		return this.tx.execute((s) -> {
			if (result.status() == RunStatus.COMPLETED) {
				Optional<Run> run = this.runs.finish(runId, RunState.COMPLETED, result.iterationsDone(), cpu, duration,
						statistics, null);
				run.ifPresent((r) -> this.outbox.append(Topics.SIMULATION, EventTypes.SIMULATION_COMPLETED, tenant,
						r.id().toString(), new SimulationCompleted(tenant, r.id(), r.modelId(), r.iterationsDone(), cpu,
								duration, r.requestedBy(), finishedAt(r))));
				return run;
			}
			String reason = "Cancelled after " + result.iterationsDone() + " of " + result.iterations() + " iterations";
			Optional<Run> run = this.runs.finish(runId, RunState.CANCELLED, result.iterationsDone(), cpu, duration,
					statistics, reason);
			run.ifPresent((r) -> failed(tenant, r, true, reason));
			return run;
		});
	}

	/** A computation that failed, or could not start. */
	Optional<Run> failed(UUID runId, long iterationsDone, String reason) {
		UUID tenant = TenantContext.require();
		return this.tx.execute((s) -> {
			Optional<Run> run = this.runs.finish(runId, RunState.FAILED, iterationsDone, null, null, null, reason);
			run.ifPresent((r) -> failed(tenant, r, false, reason));
			return run;
		});
	}

	/** A run whose computation was lost (its instance died or shut down). */
	Optional<Run> lost(UUID runId, String reason) {
		UUID tenant = TenantContext.require();
		return this.tx.execute((s) -> {
			Optional<Run> run = this.runs.failLost(runId, reason);
			run.ifPresent((r) -> failed(tenant, r, false, reason));
			return run;
		});
	}

	/** Fails the current tenant's stale runs as lost, except those computed here. */
	int failStale(long staleSeconds, Set<UUID> computedHere) {
		UUID tenant = TenantContext.require();
		Integer failed = this.tx.execute((s) -> {
			int n = 0;
			for (Run stale : this.runs.lockStale(staleSeconds)) {
				if (computedHere.contains(stale.id())) {
					continue;
				}
				String reason = "The run was lost: the instance computing it stopped sending heartbeats";
				Optional<Run> run = this.runs.failLost(stale.id(), reason);
				if (run.isPresent()) {
					failed(tenant, run.get(), false, reason);
					n++;
				}
			}
			return n;
		});
		return (failed != null) ? failed : 0;
	}

	private void failed(UUID tenant, Run r, boolean cancelled, String reason) {
		this.outbox.append(Topics.SIMULATION, EventTypes.SIMULATION_FAILED, tenant, r.id().toString(),
				new SimulationFailed(tenant, r.id(), r.modelId(), r.iterationsDone(), cancelled, reason,
						r.requestedBy(), finishedAt(r)));
	}

	private static OffsetDateTime finishedAt(Run r) {
		return (r.finishedAt() != null) ? r.finishedAt() : OffsetDateTime.now(ZoneOffset.UTC);
	}

}
