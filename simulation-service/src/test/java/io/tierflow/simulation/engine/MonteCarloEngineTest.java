package io.tierflow.simulation.engine;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.tierflow.simulation.engine.OutputStatistics.ConvergencePoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/** Runs: results, reproducibility across thread counts, cancellation and progress. */
class MonteCarloEngineTest {

	private static final MonteCarloEngine oneThread = new MonteCarloEngine(1);

	private static final MonteCarloEngine fourThreads = new MonteCarloEngine(4);

	private static final MonteCarloModel MODEL = MonteCarloModel.builder()
		.input("units", Distribution.normal(1000, 150))
		.input("price", Distribution.triangular(8, 10, 14))
		.input("unitCost", Distribution.pert(4, 5, 8))
		.input("overhead", Distribution.lognormal(2000, 500))
		.input("tax", Distribution.discrete(List.of(0.2, 0.3), List.of(0.6, 0.4)))
		.correlate("units", "price", -0.5)
		.output("revenue", "units * price")
		.output("cost", "units * unitCost + overhead")
		.output("profit", "if(revenue > cost, (revenue - cost) * (1 - tax), revenue - cost)")
		.build();

	@AfterAll
	static void closeEngines() {
		oneThread.close();
		fourThreads.close();
	}

	@Test
	void sameSeedGivesIdenticalResultsOnAnyNumberOfThreads() {
		// Not a multiple of the block size, so the last block is a short one.
		RunSettings settings = new RunSettings(5 * MonteCarloEngine.BLOCK_SIZE + 123, 42);
		SimulationResult alone = oneThread.run(MODEL, settings);
		SimulationResult shared = fourThreads.run(MODEL, settings);
		ExecutorService executor = Executors.newFixedThreadPool(3);
		try {
			SimulationResult onExecutor = new MonteCarloEngine(executor, 3).run(MODEL, settings);
			assertThat(onExecutor.outputs()).isEqualTo(alone.outputs());
		}
		finally {
			executor.shutdown();
		}
		assertThat(shared.outputs()).isEqualTo(alone.outputs());
		assertThat(shared.iterationsDone()).isEqualTo(settings.iterations());
	}

	@Test
	void differentSeedsGiveDifferentResults() {
		SimulationResult first = fourThreads.run(MODEL, new RunSettings(10_000, 1));
		SimulationResult second = fourThreads.run(MODEL, new RunSettings(10_000, 2));
		assertThat(second.output("profit").mean()).isNotEqualTo(first.output("profit").mean());
		assertThat(second.output("cost").percentiles()).isNotEqualTo(first.output("cost").percentiles());
	}

	@Test
	void reportsMomentsPercentilesHistogramAndConvergence() {
		MonteCarloModel model = MonteCarloModel.builder()
			.input("a", Distribution.normal(10, 2))
			.input("b", Distribution.normal(5, 1))
			.output("sum", "a + b")
			.build();
		int n = 50_000;
		SimulationResult result = fourThreads.run(model, new RunSettings(n, 7));
		OutputStatistics sum = result.output("sum");

		// a + b ~ N(15, sqrt(5)): mean within 5 standard errors, percentiles within 0.05
		// sd.
		double sd = Math.sqrt(5);
		assertThat(result.status()).isEqualTo(RunStatus.COMPLETED);
		assertThat(sum.count()).isEqualTo(n);
		assertThat(sum.invalid()).isZero();
		assertThat(sum.mean()).isCloseTo(15, within(5 * sd / Math.sqrt(n)));
		assertThat(sum.standardDeviation()).isCloseTo(sd, within(0.03 * sd));
		assertThat(sum.percentile(50)).isCloseTo(15, within(0.05 * sd));
		assertThat(sum.percentile(5)).isCloseTo(15 - 1.6449 * sd, within(0.05 * sd));
		assertThat(sum.percentile(99)).isCloseTo(15 + 2.3263 * sd, within(0.05 * sd));
		assertThat(sum.percentiles()).extracting(OutputStatistics.Percentile::percent)
			.containsExactlyElementsOf(OutputStatistics.PERCENTS);

		assertThat(sum.histogram().counts()).hasSize(50);
		assertThat(sum.histogram().counts().stream().mapToLong(Long::longValue).sum()).isEqualTo(n);
		assertThat(sum.histogram().min()).isEqualTo(sum.min());
		assertThat(sum.histogram().max()).isEqualTo(sum.max());

		List<ConvergencePoint> convergence = sum.convergence();
		assertThat(convergence).hasSize(40);
		assertThat(convergence).extracting(ConvergencePoint::iterations).isSorted().endsWith((long) n);
		assertThat(convergence.get(convergence.size() - 1).mean()).isCloseTo(sum.mean(), within(1e-9));
		assertThat(result.duration()).isPositive();
		assertThat(result.cpuTime()).isGreaterThanOrEqualTo(Duration.ZERO);
	}

	@Test
	void runsASingleIteration() {
		OutputStatistics profit = oneThread.run(MODEL, new RunSettings(1, 3)).output("profit");
		assertThat(profit.count()).isOne();
		assertThat(profit.standardDeviation()).isZero();
		assertThat(profit.min()).isEqualTo(profit.max()).isEqualTo(profit.mean()).isEqualTo(profit.percentile(99));
		assertThat(profit.histogram().counts()).containsExactly(1L);
		assertThat(profit.convergence()).hasSize(1);
	}

	@Test
	void aCancelledRunEndsPromptlyAsCancelled() {
		SimulationRun run = fourThreads.start(MODEL, new RunSettings(2_000_000_000L, 5), ProgressListener.NONE);
		await().atMost(Duration.ofSeconds(10)).until(() -> run.iterationsDone() > 0);
		run.cancel();
		CompletableFuture<SimulationResult> result = run.result();
		await().atMost(Duration.ofSeconds(5)).until(result::isDone);

		SimulationResult cancelled = result.join();
		assertThat(cancelled.status()).isEqualTo(RunStatus.CANCELLED);
		assertThat(cancelled.iterationsDone()).isPositive().isLessThan(cancelled.iterations());
		assertThat(cancelled.output("profit").count()).isEqualTo(cancelled.iterationsDone());
	}

	@Test
	void progressArrivesWhileRunningAndAtTheEnd() {
		ConcurrentLinkedQueue<long[]> updates = new ConcurrentLinkedQueue<>();
		SimulationRun run = fourThreads.start(MODEL, new RunSettings(1_000_000_000L, 6),
				(done, total) -> updates.add(new long[] { done, total }));
		await().atMost(Duration.ofSeconds(10)).until(() -> updates.size() >= 3);
		run.cancel();
		SimulationResult result = run.result().join();

		assertThat(updates).allSatisfy((update) -> assertThat(update[1]).isEqualTo(1_000_000_000L));
		assertThat(updates.stream().mapToLong((update) -> update[0]).toArray()).isSorted();
		long[] last = updates.stream().reduce((first, second) -> second).orElseThrow();
		assertThat(last[0]).isEqualTo(result.iterationsDone());
	}

	@Test
	void completedRunReportsItsLastProgressAsDone() {
		ConcurrentLinkedQueue<Long> updates = new ConcurrentLinkedQueue<>();
		oneThread.start(MODEL, new RunSettings(10_000, 6), (done, total) -> updates.add(done)).result().join();
		assertThat(updates).last().isEqualTo(10_000L);
	}

	@Test
	void refusesRunsWithoutIterations() {
		assertThatIllegalArgumentException().isThrownBy(() -> new RunSettings(0, 1))
			.withMessage("A run needs at least 1 iteration, got 0");
	}

}
