package io.tierflow.simulation.run;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import com.github.f4b6a3.uuid.UuidCreator;
import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.outbox.Outbox;
import io.tierflow.events.seats.UserSeats;
import io.tierflow.events.simulation.SimulationStarted;
import io.tierflow.simulation.definition.DefinitionLimits;
import io.tierflow.simulation.definition.ModelDefinition;
import io.tierflow.simulation.engine.MonteCarloModel;
import io.tierflow.simulation.model.ModelRepository;
import io.tierflow.simulation.model.SimulationModel;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.placement.UnknownTenantException;
import io.tierflow.tenancy.web.ConflictException;
import io.tierflow.tenancy.web.ForbiddenException;
import io.tierflow.tenancy.web.NotFoundException;

import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The current tenant's runs: admitted under the tier's quotas, computed by
 * {@link LiveRuns}, ended by {@link RunOutcomes}.
 */
@Service
class Simulations {

	/** Random seeds stay below 2^53, so that JSON clients read them back exactly. */
	private static final long SEED_BOUND = 1L << 53;

	private final RunRepository runs;

	private final ModelRepository models;

	private final LiveRuns live;

	private final Outbox outbox;

	private final TenantProvisioner placements;

	private final SimulationProperties properties;

	private final TransactionTemplate tx;

	private final TransactionTemplate readTx;

	private final UserSeats seats;

	private final DefinitionLimits limits;

	private final Clock clock = Clock.systemUTC();

	Simulations(RunRepository runs, ModelRepository models, LiveRuns live, Outbox outbox, TenantProvisioner placements,
			SimulationProperties properties, PlatformTransactionManager transactionManager, UserSeats seats,
			DefinitionLimits limits) {
		this.runs = runs;
		this.limits = limits;
		this.seats = seats;
		this.models = models;
		this.live = live;
		this.outbox = outbox;
		this.placements = placements;
		this.properties = properties;
		this.tx = new TransactionTemplate(transactionManager);
		this.readTx = new TransactionTemplate(transactionManager);
		this.readTx.setReadOnly(true);
	}

	/**
	 * Starts a run: quotas checked, the RUNNING row and {@code simulation.started}
	 * committed together, then the computation launched.
	 * @throws NotFoundException when the tenant has no such model
	 * @throws io.tierflow.simulation.definition.InvalidModelException when the model
	 * cannot run
	 * @throws RunQuotaExceededException when the tier does not allow the run now
	 */
	Run start(UUID modelId, NewRun request, String requestedBy) {
		UUID tenant = TenantContext.require();
		Tier tier = this.placements.find(tenant).orElseThrow(() -> new UnknownTenantException(tenant)).tier();
		SimulationProperties.TierQuota quota = this.properties.quota().of(tier);
		long iterations = request.iterations();
		if (iterations > quota.iterationsPerRun()) {
			throw RunQuotaExceededException.iterations(tier, iterations, quota.iterationsPerRun());
		}
		long seed = (request.seed() != null) ? request.seed() : ThreadLocalRandom.current().nextLong(SEED_BOUND);
		UUID id = UuidCreator.getTimeOrderedEpoch();
		SimulationModel model = this.readTx.execute((s) -> this.models.find(modelId))
			.orElseThrow(() -> new NotFoundException("No model " + modelId));
		// Checked and compiled between transactions (models do not change once stored):
		// the admission transaction holds the tenant's advisory lock, and no CPU work
		// should lengthen it.
		MonteCarloModel compiled = ModelDefinition.compile(model.definition(), this.limits);
		Run admitted = this.tx.execute((s) -> {
			this.runs.lockAdmission();
			Instant now = this.clock.instant();
			OffsetDateTime monthStart = OffsetDateTime.ofInstant(now, ZoneOffset.UTC)
				.withDayOfMonth(1)
				.truncatedTo(ChronoUnit.DAYS);
			if (quota.monthlyLimited()) {
				int seats = this.seats.count();
				long monthly = quota.runsPerMonth(seats);
				if (this.runs.countCreatedSince(monthStart) >= monthly) {
					throw RunQuotaExceededException.monthly(tier, monthly, seats, now,
							monthStart.plusMonths(1).toInstant());
				}
			}
			if (this.runs.countActive() >= quota.concurrentRuns()) {
				throw RunQuotaExceededException.concurrent(tier, quota.concurrentRuns());
			}
			Run run = this.runs.insertRunning(id, modelId, iterations, seed, requestedBy);
			this.outbox.append(Topics.SIMULATION, EventTypes.SIMULATION_STARTED, tenant, id.toString(),
					new SimulationStarted(tenant, id, modelId, iterations, seed, requestedBy, run.startedAt()));
			return run;
		});
		this.live.launch(admitted, compiled);
		return admitted;
	}

	/** The current tenant's run quota and what it has used of it. */
	RunQuota quota() {
		UUID tenant = TenantContext.require();
		Tier tier = this.placements.find(tenant).orElseThrow(() -> new UnknownTenantException(tenant)).tier();
		SimulationProperties.TierQuota quota = this.properties.quota().of(tier);
		OffsetDateTime monthStart = OffsetDateTime.ofInstant(this.clock.instant(), ZoneOffset.UTC)
			.withDayOfMonth(1)
			.truncatedTo(ChronoUnit.DAYS);
		return this.readTx.execute((s) -> {
			int seats = this.seats.count();
			return new RunQuota(tier, seats, quota.iterationsPerRun(), quota.runsPerMonth(seats),
					this.runs.countCreatedSince(monthStart), monthStart.plusMonths(1).toInstant(),
					quota.concurrentRuns(), this.runs.countActive());
		});
	}

	/** A run of the current tenant, with live progress when computed here. */
	Run find(UUID id) {
		Run run = this.readTx.execute((s) -> this.runs.find(id)).orElseThrow(() -> notFound(id));
		if (run.status() == RunState.RUNNING) {
			return this.live.progress(id).map(run::withProgress).orElse(run);
		}
		return run;
	}

	List<Run> page(int limit, long offset) {
		return this.readTx.execute((s) -> this.runs.page(limit, offset))
			.stream()
			.map((run) -> (run.status() == RunState.RUNNING)
					? this.live.progress(run.id()).map(run::withProgress).orElse(run) : run)
			.toList();
	}

	/**
	 * Asks a running run to stop: at once when computed here, at the computing instance's
	 * next heartbeat otherwise. It ends CANCELLED with the statistics of the iterations
	 * done. The user who started it may cancel it, and a tenant admin (or a system admin
	 * acting for the tenant) any run.
	 * @throws ConflictException when the run has already ended
	 * @throws ForbiddenException when the caller is neither
	 */
	Run cancel(UUID id, String caller, boolean admin) {
		Run run = this.tx.execute((s) -> {
			Run found = this.runs.find(id).orElseThrow(() -> notFound(id));
			if (!admin && !caller.equals(found.requestedBy())) {
				throw new ForbiddenException(
						"Only the user who started run " + id + ", or a tenant admin, may cancel it");
			}
			if (found.status().finished() || !this.runs.requestCancel(id)) {
				throw new ConflictException("Run " + id + " has already ended (" + found.status() + ")");
			}
			return found;
		});
		this.live.cancel(id);
		return run;
	}

	private static NotFoundException notFound(UUID id) {
		return new NotFoundException("No run " + id);
	}

}
