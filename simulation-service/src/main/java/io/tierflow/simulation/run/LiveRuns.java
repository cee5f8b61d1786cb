package io.tierflow.simulation.run;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.tierflow.simulation.engine.MonteCarloEngine;
import io.tierflow.simulation.engine.MonteCarloModel;
import io.tierflow.simulation.engine.RunSettings;
import io.tierflow.simulation.engine.SimulationResult;
import io.tierflow.simulation.engine.SimulationRun;
import io.tierflow.tenancy.context.TenantContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The runs this instance computes, and the progress streams that watch runs.
 * <p>
 * Progress lives in memory on the instance that computes a run: a stream opened on that
 * instance gets a {@code progress} event every
 * {@code tierflow.simulation.progress-interval} from the engine's counters. A client need
 * not reach that instance: a stream opened on any other one (or for a run whose instance
 * is gone) reads the run's row once a second, where the computing instance's heartbeat
 * leaves {@code iterations_done} every {@code tierflow.simulation.heartbeat-interval} (1s
 * by default), so it gets a {@code progress} event a second, at most a heartbeat behind;
 * its rate and ETA count from the run's {@code started_at}. Either way the stream ends
 * with one {@code result} event once the run's end is committed.
 * <p>
 * The heartbeat writes progress whether or not anyone watches elsewhere: one update by
 * primary key a second per running run, of columns no index covers (so PostgreSQL can
 * make it a HOT update). Telling the computing instance that a stream watches elsewhere,
 * so that it writes more often only then, was rejected; it needs a signal per stream
 * across instances (a column or a message, and its expiry when the watcher vanishes) for
 * a small saving: a short transaction a second beside a computation that keeps the
 * instance's cores busy. The same beat makes a cancel asked for on another instance take
 * effect within a second.
 * <p>
 * The computing instance refreshes each run's heartbeat, picks up cancellations asked for
 * on other instances, and records the end of each run in one transaction on a thread of
 * its own with the run's tenant bound. When that transaction cannot be written (the
 * tenant is moving, the database is away) it is retried a few times; after that the run
 * stays RUNNING without heartbeat and the stale-run sweep fails it.
 */
@Component
class LiveRuns implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(LiveRuns.class);

	private static final long DB_POLL_NANOS = TimeUnit.SECONDS.toNanos(1);

	private static final int END_ATTEMPTS = 5;

	private final MonteCarloEngine engine;

	private final RunOutcomes outcomes;

	private final RunRepository runs;

	private final SimulationProperties properties;

	private final TransactionTemplate tx;

	private final TransactionTemplate readTx;

	private final Map<UUID, Computation> computing = new ConcurrentHashMap<>();

	private final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();

	private final ProgressStreamSlots slots;

	private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2,
			daemons("simulation-progress-"));

	private final ExecutorService finisher = Executors.newFixedThreadPool(2, daemons("simulation-end-"));

	LiveRuns(MonteCarloEngine engine, RunOutcomes outcomes, RunRepository runs, SimulationProperties properties,
			PlatformTransactionManager transactionManager) {
		this.engine = engine;
		this.outcomes = outcomes;
		this.runs = runs;
		this.properties = properties;
		this.slots = new ProgressStreamSlots(properties.progressStreams());
		this.tx = new TransactionTemplate(transactionManager);
		this.readTx = new TransactionTemplate(transactionManager);
		this.readTx.setReadOnly(true);
		long tick = properties.progressInterval().toMillis();
		this.scheduler.scheduleWithFixedDelay(guarded(this::tick), tick, tick, TimeUnit.MILLISECONDS);
		long beat = properties.heartbeatInterval().toMillis();
		this.scheduler.scheduleWithFixedDelay(guarded(this::heartbeats), beat, beat, TimeUnit.MILLISECONDS);
	}

	/**
	 * Starts computing a run whose RUNNING row (and started event) is committed. The end
	 * is recorded with the current tenant bound.
	 */
	void launch(Run run, MonteCarloModel model) {
		UUID tenant = TenantContext.require();
		Computation computation = new Computation(tenant, run);
		this.computing.put(run.id(), computation);
		try {
			computation.handle = this.engine.start(model, new RunSettings(run.iterations(), run.seed()),
					(done, total) -> computation.done.set(done));
		}
		catch (RuntimeException ex) {
			log.warn("Run {} could not start", run.id(), ex);
			this.finisher.execute(() -> end(computation, null, ex, 1));
			return;
		}
		computation.handle.result()
			.whenCompleteAsync((result, failure) -> end(computation, result, failure, 1), this.finisher);
	}

	/** Iterations done of a run computed here. */
	Optional<Long> progress(UUID runId) {
		Computation computation = this.computing.get(runId);
		return (computation != null) ? Optional.of(computation.done.get()) : Optional.empty();
	}

	/** Stops a run if this instance computes it. */
	void cancel(UUID runId) {
		Computation computation = this.computing.get(runId);
		if (computation != null && computation.handle != null) {
			computation.handle.cancel();
		}
	}

	Set<UUID> computedHere() {
		return Set.copyOf(this.computing.keySet());
	}

	/**
	 * A progress stream of a run of the current tenant: at once the {@code result} of a
	 * finished run, otherwise {@code progress} events until it ends.
	 * @throws org.springframework.web.ErrorResponseException 429 when the tenant or this
	 * instance has as many streams open as {@link SimulationProperties.ProgressStreams}
	 * allows
	 */
	SseEmitter watch(Run run) {
		UUID tenant = TenantContext.require();
		if (run.status().finished()) {
			Watcher watcher = new Watcher(tenant, run, new SseEmitter(this.properties.progressTimeout().toMillis()),
					null);
			watcher.result(run);
			return watcher.emitter;
		}
		ProgressStreamSlots.Slot slot = this.slots.acquire(tenant);
		SseEmitter emitter = new SseEmitter(this.properties.progressTimeout().toMillis());
		Watcher watcher = new Watcher(tenant, run, emitter, slot);
		emitter.onCompletion(() -> forget(watcher));
		emitter.onTimeout(() -> {
			forget(watcher);
			emitter.complete();
		});
		emitter.onError((ex) -> forget(watcher));
		this.watchers.add(watcher);
		Computation computation = this.computing.get(run.id());
		if (computation != null) {
			// Where it stands now, not only after the first interval.
			watcher.progress(computation.done.get(), computation.startNanos, System.nanoTime());
		}
		return emitter;
	}

	private void forget(Watcher watcher) {
		this.watchers.remove(watcher);
		watcher.release();
	}

	private void end(Computation computation, SimulationResult result, Throwable failure, int attempt) {
		UUID runId = computation.run.id();
		Optional<Run> ended;
		try {
			ended = TenantContext.call(computation.tenant, () -> record(computation, result, failure));
		}
		catch (RuntimeException ex) {
			if (attempt < END_ATTEMPTS && !this.scheduler.isShutdown()) {
				long delay = 1L << attempt;
				log.warn("Could not record the end of run {} (attempt {}); retrying in {}s", runId, attempt, delay, ex);
				this.scheduler.schedule(
						() -> this.finisher.execute(() -> end(computation, result, failure, attempt + 1)), delay,
						TimeUnit.SECONDS);
				return;
			}
			log.error("Could not record the end of run {}; the stale-run sweep will fail it", runId, ex);
			this.computing.remove(runId);
			return;
		}
		this.computing.remove(runId);
		if (ended.isEmpty()) {
			// Already ended (failed by the sweep): the watchers read it from the store.
			return;
		}
		for (Watcher watcher : this.watchers) {
			if (watcher.runId.equals(runId)) {
				watcher.result(ended.get());
			}
		}
	}

	private Optional<Run> record(Computation computation, SimulationResult result, Throwable failure) {
		UUID runId = computation.run.id();
		if (failure == null) {
			return this.outcomes.ended(runId, result);
		}
		Throwable cause = (failure.getCause() != null && failure instanceof CompletionException) ? failure.getCause()
				: failure;
		log.warn("Run {} failed", runId, cause);
		return this.outcomes.failed(runId, computation.done.get(), "The computation failed: " + reason(cause));
	}

	private static String reason(Throwable cause) {
		String message = (cause.getMessage() != null) ? cause.getMessage() : cause.getClass().getSimpleName();
		return (message.length() > 500) ? message.substring(0, 500) : message;
	}

	private void tick() {
		long now = System.nanoTime();
		for (Watcher watcher : this.watchers) {
			if (watcher.ended) {
				forget(watcher);
				continue;
			}
			Computation computation = this.computing.get(watcher.runId);
			if (computation != null) {
				watcher.progress(computation.done.get(), computation.startNanos, now);
			}
			else if (now - watcher.lastRead >= DB_POLL_NANOS) {
				watcher.lastRead = now;
				readStored(watcher, now);
			}
		}
	}

	/** For a run not computed here: its row, as the computing instance left it. */
	private void readStored(Watcher watcher, long now) {
		Optional<Run> stored;
		try {
			stored = TenantContext.call(watcher.tenant,
					() -> this.readTx.execute((s) -> this.runs.find(watcher.runId)));
		}
		catch (RuntimeException ex) {
			log.debug("Cannot read run {} for its progress stream: {}", watcher.runId, ex.toString());
			return;
		}
		if (stored.isEmpty()) {
			watcher.emitter.complete();
			watcher.ended = true;
		}
		else if (stored.get().status().finished()) {
			watcher.result(stored.get());
		}
		else {
			watcher.progress(stored.get().iterationsDone(), watcher.startedNanos, now);
		}
	}

	private void heartbeats() {
		for (Computation computation : this.computing.values()) {
			try {
				Optional<Boolean> cancel = TenantContext.call(computation.tenant, () -> this.tx
					.execute((s) -> this.runs.heartbeat(computation.run.id(), computation.done.get())));
				if (computation.handle != null && (cancel.isEmpty() || cancel.get())) {
					// Asked to stop on another instance, or no longer RUNNING (failed as
					// lost during a long pause): computing on is of no use.
					computation.handle.cancel();
				}
			}
			catch (RuntimeException ex) {
				log.warn("Heartbeat of run {} failed: {}", computation.run.id(), ex.toString());
			}
		}
	}

	/**
	 * On shutdown the runs computed here are lost: they are failed at once rather than
	 * after the sweep's wait.
	 */
	@Override
	public void destroy() {
		this.scheduler.shutdownNow();
		for (Computation computation : this.computing.values()) {
			if (computation.handle != null) {
				computation.handle.cancel();
			}
			try {
				TenantContext.run(computation.tenant, () -> this.outcomes.lost(computation.run.id(),
						"The service instance computing the run shut down"));
			}
			catch (RuntimeException ex) {
				log.warn("Could not fail run {} on shutdown; the stale-run sweep will", computation.run.id(), ex);
			}
		}
		this.finisher.shutdownNow();
		for (Watcher watcher : this.watchers) {
			watcher.emitter.complete();
			watcher.release();
		}
	}

	private static ThreadFactory daemons(String prefix) {
		AtomicLong count = new AtomicLong();
		return (task) -> {
			Thread thread = new Thread(task, prefix + count.getAndIncrement());
			thread.setDaemon(true);
			return thread;
		};
	}

	private static Runnable guarded(Runnable task) {
		return () -> {
			try {
				task.run();
			}
			catch (RuntimeException ex) {
				log.warn("Run watch task failed", ex);
			}
		};
	}

	/** A run computed on this instance. */
	private static final class Computation {

		final UUID tenant;

		final Run run;

		final long startNanos = System.nanoTime();

		final AtomicLong done = new AtomicLong();

		volatile SimulationRun handle;

		Computation(UUID tenant, Run run) {
			this.tenant = tenant;
			this.run = run;
		}

	}

	/** One open progress stream; its events are sent one at a time. */
	private static final class Watcher {

		final UUID tenant;

		final UUID runId;

		final long iterations;

		final SseEmitter emitter;

		/** Its slot among the open streams; none for a stream that ends at once. */
		final ProgressStreamSlots.Slot slot;

		/**
		 * When the run started on {@link System#nanoTime()}'s scale, from its row's
		 * {@code started_at} (the database's clock; a skew of the clocks shows in the
		 * rate of a stream of a run computed elsewhere, never makes it negative).
		 */
		final long startedNanos;

		volatile long lastRead = Long.MIN_VALUE / 2;

		volatile boolean ended;

		Watcher(UUID tenant, Run run, SseEmitter emitter, ProgressStreamSlots.Slot slot) {
			this.tenant = tenant;
			this.runId = run.id();
			this.iterations = run.iterations();
			this.emitter = emitter;
			this.slot = slot;
			long now = System.nanoTime();
			long sinceStart = (run.startedAt() != null)
					? Duration.between(run.startedAt().toInstant(), Instant.now()).toNanos() : 0;
			this.startedNanos = now - Math.max(0, sinceStart);
		}

		void release() {
			if (this.slot != null) {
				this.slot.release();
			}
		}

		synchronized void progress(long done, long since, long now) {
			if (this.ended) {
				return;
			}
			double seconds = Math.max(1e-3, (now - since) / 1e9);
			double perSecond = done / seconds;
			Long eta = (perSecond > 0) ? (long) Math.ceil((this.iterations - done) / perSecond) : null;
			Map<String, Object> data = new LinkedHashMap<>();
			data.put("percent", Run.percent(done, this.iterations));
			data.put("iterationsDone", done);
			data.put("iterationsPerSecond", Math.round(perSecond));
			data.put("etaSeconds", eta);
			send(() -> SseEmitter.event().name("progress").data(data, MediaType.APPLICATION_JSON));
		}

		synchronized void result(Run run) {
			if (this.ended) {
				return;
			}
			this.ended = true;
			send(() -> SseEmitter.event().name("result").data(run, MediaType.APPLICATION_JSON));
			this.emitter.complete();
		}

		private void send(Supplier<SseEmitter.SseEventBuilder> event) {
			try {
				this.emitter.send(event.get());
			}
			catch (IOException | IllegalStateException ex) {
				// The client went away or the stream timed out.
				this.ended = true;
				try {
					this.emitter.completeWithError(ex);
				}
				catch (RuntimeException alreadyComplete) {
					// Nothing more to end.
				}
			}
		}

	}

}
