package io.tierflow.simulation.engine;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * Runs {@link MonteCarloModel}s on several threads. A run is cut into blocks of
 * {@value #BLOCK_SIZE} iterations that threads take in turn; each block draws from its
 * own random stream, derived from the seed and the block's index only, and the statistics
 * of the blocks are merged in block order, so a run's results depend on the model, the
 * seed and the number of iterations, never on the number of threads or on which thread
 * did what. Memory does not grow with the number of iterations beyond a few dozen bytes
 * per block and output (see {@link OutputStatistics} for what is kept).
 * <p>
 * The engine is thread-safe and can run several models at once; closing it shuts down the
 * pool it created, never an executor it was given.
 */
public final class MonteCarloEngine implements AutoCloseable {

	/**
	 * Iterations per block: large enough that per-block overheads vanish, small enough
	 * for caches.
	 */
	public static final int BLOCK_SIZE = 4096;

	/** How often, at most, a run tells its {@link ProgressListener}. */
	public static final Duration PROGRESS_INTERVAL = Duration.ofMillis(100);

	private final Executor executor;

	private final int parallelism;

	private final ForkJoinPool ownPool;

	/** An engine with a pool of its own, one thread per available processor. */
	public MonteCarloEngine() {
		this(Runtime.getRuntime().availableProcessors());
	}

	/** An engine with a pool of its own of {@code parallelism} threads. */
	public MonteCarloEngine(int parallelism) {
		this(new ForkJoinPool(checked(parallelism)), parallelism, true);
	}

	/**
	 * An engine that runs each simulation as {@code parallelism} tasks on the given
	 * executor (which should have that many threads to spare for full speed).
	 */
	public MonteCarloEngine(Executor executor, int parallelism) {
		this(executor, parallelism, false);
	}

	private MonteCarloEngine(Executor executor, int parallelism, boolean own) {
		this.executor = executor;
		this.parallelism = checked(parallelism);
		this.ownPool = own ? (ForkJoinPool) executor : null;
	}

	private static int checked(int parallelism) {
		if (parallelism < 1) {
			throw new IllegalArgumentException("Parallelism must be at least 1, got " + parallelism);
		}
		return parallelism;
	}

	/** Starts a run; the returned handle gives its result and can cancel it. */
	public SimulationRun start(MonteCarloModel model, RunSettings settings, ProgressListener listener) {
		SimulationRun run = new SimulationRun(model, settings, (listener != null) ? listener : ProgressListener.NONE);
		run.start(this.executor, this.parallelism);
		return run;
	}

	/** Runs to the end on the engine's threads, the caller waiting. */
	public SimulationResult run(MonteCarloModel model, RunSettings settings) {
		try {
			return start(model, settings, ProgressListener.NONE).result().join();
		}
		catch (CompletionException ex) {
			if (ex.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw ex;
		}
	}

	@Override
	public void close() {
		if (this.ownPool != null) {
			this.ownPool.shutdownNow();
		}
	}

}
