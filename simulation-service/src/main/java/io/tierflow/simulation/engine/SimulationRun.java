package io.tierflow.simulation.engine;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

import io.tierflow.simulation.engine.OutputStatistics.ConvergencePoint;
import io.tierflow.simulation.engine.OutputStatistics.Histogram;
import io.tierflow.simulation.engine.OutputStatistics.Percentile;

/**
 * A run in progress: its result when it ends, and the means to cancel it. Workers take
 * blocks in index order; each block's moments are kept by index (a few numbers per block
 * and output) and merged in index order at the end, while percentiles and histograms are
 * kept in per-worker {@link QuantileSketch}es whose integer counts merge the same way in
 * any order.
 */
public final class SimulationRun {

	/** Points of the convergence curve: enough to draw it, few enough to send. */
	static final int CONVERGENCE_POINTS = 40;

	static final int HISTOGRAM_BINS = 50;

	private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

	private final MonteCarloModel model;

	private final RunSettings settings;

	private final ProgressListener listener;

	private final int blockSize = MonteCarloEngine.BLOCK_SIZE;

	private final long blocks;

	private final int outputs;

	private final AtomicLong nextBlock = new AtomicLong();

	private final AtomicLong iterationsDone = new AtomicLong();

	private final AtomicBoolean cancelled = new AtomicBoolean();

	private final AtomicReference<Throwable> failure = new AtomicReference<>();

	private final AtomicInteger runningWorkers = new AtomicInteger();

	private final AtomicLong cpuNanos = new AtomicLong();

	private final ReentrantLock reporting = new ReentrantLock();

	private volatile long lastReport;

	private final CompletableFuture<SimulationResult> result = new CompletableFuture<>();

	private final List<QuantileSketch[]> sketches = new ArrayList<>();

	// Per block and output, written once by the block's worker, read after all have
	// ended.
	private final boolean[] blockDone;

	private final long[][] blockCount;

	private final double[][] blockSum;

	private final double[][] blockSquares;

	private final double[][] blockMin;

	private final double[][] blockMax;

	// Convergence checkpoints: iteration, block holding it, and the block's prefix up to
	// it.
	private final long[] checkpoints;

	private final long[] checkpointBlocks;

	private final long[][] checkpointCount;

	private final double[][] checkpointSum;

	private long startNanos;

	SimulationRun(MonteCarloModel model, RunSettings settings, ProgressListener listener) {
		this.model = model;
		this.settings = settings;
		this.listener = listener;
		this.blocks = (settings.iterations() + this.blockSize - 1) / this.blockSize;
		if (this.blocks > Integer.MAX_VALUE) {
			throw new IllegalArgumentException("Too many iterations for one run: " + settings.iterations());
		}
		this.outputs = model.outputs().size();
		int blockCount = (int) this.blocks;
		this.blockDone = new boolean[blockCount];
		this.blockCount = new long[this.outputs][blockCount];
		this.blockSum = new double[this.outputs][blockCount];
		this.blockSquares = new double[this.outputs][blockCount];
		this.blockMin = new double[this.outputs][blockCount];
		this.blockMax = new double[this.outputs][blockCount];
		int points = (int) Math.min(CONVERGENCE_POINTS, settings.iterations());
		this.checkpoints = new long[points];
		this.checkpointBlocks = new long[points];
		for (int j = 0; j < points; j++) {
			// floor((j + 1) · iterations / points), without overflow.
			long iterations = settings.iterations();
			this.checkpoints[j] = iterations / points * (j + 1) + iterations % points * (j + 1) / points;
			this.checkpointBlocks[j] = (this.checkpoints[j] - 1) / this.blockSize;
		}
		this.checkpointCount = new long[this.outputs][points];
		this.checkpointSum = new double[this.outputs][points];
	}

	/**
	 * Asks the run to stop; it ends after the blocks being computed, with
	 * {@link RunStatus#CANCELLED}.
	 */
	public void cancel() {
		this.cancelled.set(true);
	}

	public long iterationsDone() {
		return this.iterationsDone.get();
	}

	public long iterationsTotal() {
		return this.settings.iterations();
	}

	/**
	 * Completes with the result when the run ends (also when cancelled), or exceptionally
	 * if it failed. Each call returns a new future: completing it does not affect the
	 * run.
	 */
	public CompletableFuture<SimulationResult> result() {
		return this.result.copy();
	}

	void start(Executor executor, int parallelism) {
		this.startNanos = System.nanoTime();
		this.lastReport = this.startNanos;
		int workers = (int) Math.min(parallelism, this.blocks);
		this.runningWorkers.set(workers);
		for (int i = 0; i < workers; i++) {
			try {
				executor.execute(this::work);
			}
			catch (RuntimeException ex) {
				// Workers not started end at once; those started stop at their next
				// block.
				fail(ex);
				for (int j = i; j < workers; j++) {
					workerEnded();
				}
				return;
			}
		}
	}

	private void work() {
		long cpuStart = THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
		try {
			Worker worker = new Worker();
			synchronized (this.sketches) {
				this.sketches.add(worker.sketches);
			}
			long block;
			while (!this.cancelled.get() && (block = this.nextBlock.getAndIncrement()) < this.blocks) {
				int n = worker.compute((int) block);
				this.blockDone[(int) block] = true;
				report(this.iterationsDone.addAndGet(n));
			}
		}
		catch (Throwable ex) {
			fail(ex);
		}
		finally {
			if (cpuStart >= 0) {
				this.cpuNanos.addAndGet(THREADS.getCurrentThreadCpuTime() - cpuStart);
			}
			workerEnded();
		}
	}

	private void fail(Throwable ex) {
		this.failure.compareAndSet(null, ex);
		this.cancelled.set(true);
	}

	private void report(long done) {
		long now = System.nanoTime();
		if (now - this.lastReport >= MonteCarloEngine.PROGRESS_INTERVAL.toNanos() && this.reporting.tryLock()) {
			try {
				if (now - this.lastReport >= MonteCarloEngine.PROGRESS_INTERVAL.toNanos()) {
					this.lastReport = now;
					this.listener.progress(done, this.settings.iterations());
				}
			}
			finally {
				this.reporting.unlock();
			}
		}
	}

	private void workerEnded() {
		if (this.runningWorkers.decrementAndGet() > 0) {
			return;
		}
		// The last worker out: every other one has finished its blocks (the counter's
		// decrement orders their writes before this read).
		try {
			Throwable failed = this.failure.get();
			if (failed != null) {
				this.result.completeExceptionally(failed);
				return;
			}
			SimulationResult outcome = summarise();
			this.listener.progress(outcome.iterationsDone(), this.settings.iterations());
			this.result.complete(outcome);
		}
		catch (Throwable ex) {
			this.result.completeExceptionally(ex);
		}
	}

	/** One thread's working memory, reused for every block it computes. */
	private final class Worker {

		private final double[][] slots;

		private final RankCorrelation.Workspace workspace;

		private final QuantileSketch[] sketches;

		Worker() {
			MonteCarloModel model = SimulationRun.this.model;
			this.slots = model.program().newSlots(SimulationRun.this.blockSize);
			this.workspace = model.rankCorrelations().isEmpty() ? null
					: new RankCorrelation.Workspace(SimulationRun.this.blockSize);
			this.sketches = new QuantileSketch[SimulationRun.this.outputs];
			for (int i = 0; i < this.sketches.length; i++) {
				this.sketches[i] = new QuantileSketch();
			}
		}

		/**
		 * Computes one block and records its statistics; returns its number of
		 * iterations.
		 */
		int compute(int block) {
			MonteCarloModel model = SimulationRun.this.model;
			long first = (long) block * SimulationRun.this.blockSize;
			int n = (int) Math.min(SimulationRun.this.blockSize, SimulationRun.this.settings.iterations() - first);
			SplittableRandom random = new SplittableRandom(blockSeed(SimulationRun.this.settings.seed(), block));
			model.sampleInputs(random, this.slots, n, this.workspace);
			model.program().run(this.slots, n);
			int inputs = model.inputs().size();
			for (int o = 0; o < SimulationRun.this.outputs; o++) {
				double[] values = this.slots[inputs + o];
				record(o, block, values, n);
				this.sketches[o].addAll(values, n);
			}
			checkpoints(block, first, inputs);
			return n;
		}

		private void record(int output, int block, double[] values, int n) {
			double sum = 0;
			double min = Double.POSITIVE_INFINITY;
			double max = Double.NEGATIVE_INFINITY;
			for (int i = 0; i < n; i++) {
				double x = values[i];
				sum += x;
				min = Math.min(min, x);
				max = Math.max(max, x);
			}
			long count = n;
			if (!Double.isFinite(sum)) {
				// NaN or infinite values: count and bound only the values that are
				// numbers.
				sum = 0;
				count = 0;
				min = Double.POSITIVE_INFINITY;
				max = Double.NEGATIVE_INFINITY;
				for (int i = 0; i < n; i++) {
					double x = values[i];
					if (x == x) {
						sum += x;
						count++;
						min = Math.min(min, x);
						max = Math.max(max, x);
					}
				}
			}
			// Squares about the block's own mean, not raw sums of squares, so that
			// outputs
			// with a large mean and a small spread keep their precision.
			double mean = (count > 0) ? sum / count : 0;
			double squares = 0;
			for (int i = 0; i < n; i++) {
				double x = values[i];
				if (x == x) {
					double d = x - mean;
					squares += d * d;
				}
			}
			SimulationRun.this.blockCount[output][block] = count;
			SimulationRun.this.blockSum[output][block] = sum;
			SimulationRun.this.blockSquares[output][block] = squares;
			SimulationRun.this.blockMin[output][block] = min;
			SimulationRun.this.blockMax[output][block] = max;
		}

		private void checkpoints(int block, long first, int inputs) {
			long[] blocksOf = SimulationRun.this.checkpointBlocks;
			int j = Arrays.binarySearch(blocksOf, block);
			if (j < 0) {
				return;
			}
			while (j > 0 && blocksOf[j - 1] == block) {
				j--;
			}
			for (; j < blocksOf.length && blocksOf[j] == block; j++) {
				int prefix = (int) (SimulationRun.this.checkpoints[j] - first);
				for (int o = 0; o < SimulationRun.this.outputs; o++) {
					double[] values = this.slots[inputs + o];
					double sum = 0;
					long count = 0;
					for (int i = 0; i < prefix; i++) {
						if (values[i] == values[i]) {
							sum += values[i];
							count++;
						}
					}
					SimulationRun.this.checkpointSum[o][j] = sum;
					SimulationRun.this.checkpointCount[o][j] = count;
				}
			}
		}

	}

	/**
	 * The seed of a block's random stream: the run's seed and the block's index mixed
	 * (SplitMix64's finaliser) so that neighbouring blocks get unrelated streams.
	 */
	static long blockSeed(long seed, long block) {
		return mix(mix(seed ^ 0x9E3779B97F4A7C15L) + block * 0xD1B54A32D192ED03L);
	}

	private static long mix(long z) {
		z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
		z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
		return z ^ (z >>> 31);
	}

	private SimulationResult summarise() {
		long done = 0;
		for (int b = 0; b < this.blocks; b++) {
			if (this.blockDone[b]) {
				done += Math.min(this.blockSize, this.settings.iterations() - (long) b * this.blockSize);
			}
		}
		List<OutputStatistics> statistics = new ArrayList<>();
		for (int o = 0; o < this.outputs; o++) {
			statistics.add(summarise(o));
		}
		RunStatus status = (done == this.settings.iterations()) ? RunStatus.COMPLETED : RunStatus.CANCELLED;
		return new SimulationResult(status, this.settings.iterations(), done,
				Duration.ofNanos(System.nanoTime() - this.startNanos), Duration.ofNanos(this.cpuNanos.get()),
				statistics);
	}

	private OutputStatistics summarise(int o) {
		// Chan et al.'s pairwise update, block after block in index order: the same
		// arithmetic in the same order whatever thread computed which block.
		long count = 0;
		double mean = 0;
		double squares = 0;
		double min = Double.POSITIVE_INFINITY;
		double max = Double.NEGATIVE_INFINITY;
		double runningSum = 0;
		boolean contiguous = true;
		List<ConvergencePoint> convergence = new ArrayList<>();
		int checkpoint = 0;
		for (int b = 0; b < this.blocks; b++) {
			if (!this.blockDone[b]) {
				contiguous = false;
				continue;
			}
			while (contiguous && checkpoint < this.checkpoints.length && this.checkpointBlocks[checkpoint] == b) {
				long n = count + this.checkpointCount[o][checkpoint];
				convergence.add(new ConvergencePoint(this.checkpoints[checkpoint],
						(n > 0) ? (runningSum + this.checkpointSum[o][checkpoint]) / n : Double.NaN));
				checkpoint++;
			}
			long n = this.blockCount[o][b];
			if (n == 0) {
				continue;
			}
			double blockMean = this.blockSum[o][b] / n;
			long merged = count + n;
			double delta = blockMean - mean;
			mean += delta * n / merged;
			squares += this.blockSquares[o][b] + delta * delta * ((double) count * n / merged);
			count = merged;
			runningSum += this.blockSum[o][b];
			min = Math.min(min, this.blockMin[o][b]);
			max = Math.max(max, this.blockMax[o][b]);
		}
		QuantileSketch sketch = new QuantileSketch();
		for (QuantileSketch[] worker : this.sketches) {
			sketch.merge(worker[o]);
		}
		long done = 0;
		for (int b = 0; b < this.blocks; b++) {
			if (this.blockDone[b]) {
				done += Math.min(this.blockSize, this.settings.iterations() - (long) b * this.blockSize);
			}
		}
		String name = this.model.outputs().get(o).name();
		if (count == 0) {
			return new OutputStatistics(name, 0, done, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
					OutputStatistics.PERCENTS.stream().map((p) -> new Percentile(p, Double.NaN)).toList(),
					new Histogram(Double.NaN, Double.NaN, List.of()), convergence);
		}
		double sd = (count > 1) ? Math.sqrt(squares / (count - 1)) : 0;
		List<Percentile> percentiles = new ArrayList<>();
		for (int percent : OutputStatistics.PERCENTS) {
			long rank = Math.max(1, (long) Math.ceil(percent / 100.0 * count)) - 1;
			percentiles.add(new Percentile(percent, clamp(sketch.valueAt(rank), min, max)));
		}
		return new OutputStatistics(name, count, done - count, mean, sd, min, max, percentiles,
				histogram(sketch, min, max), convergence);
	}

	private static double clamp(double value, double min, double max) {
		return Math.max(min, Math.min(max, value));
	}

	private static Histogram histogram(QuantileSketch sketch, double min, double max) {
		// The range is that of the finite values; infinities go to the end bins.
		double[] range = { Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY };
		sketch.forEach((value, count) -> {
			if (Double.isFinite(value)) {
				range[0] = Math.min(range[0], value);
				range[1] = Math.max(range[1], value);
			}
		});
		double low = Double.isFinite(min) ? min : range[0];
		double high = Double.isFinite(max) ? max : range[1];
		if (!(low < high)) {
			return new Histogram(low, high, List.of(sketch.count()));
		}
		long[] counts = new long[HISTOGRAM_BINS];
		double scale = HISTOGRAM_BINS / (high - low);
		sketch.forEach((value, count) -> {
			double clamped = clamp(value, low, high);
			int bin = (int) ((clamped - low) * scale);
			counts[Math.max(0, Math.min(HISTOGRAM_BINS - 1, bin))] += count;
		});
		return new Histogram(low, high, Arrays.stream(counts).boxed().toList());
	}

}
