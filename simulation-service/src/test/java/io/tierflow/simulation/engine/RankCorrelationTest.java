package io.tierflow.simulation.engine;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Iman–Conover achieves the rank correlations asked for and leaves the marginals alone.
 */
class RankCorrelationTest {

	private static final int BLOCKS = 5;

	private static final int N = BLOCKS * MonteCarloEngine.BLOCK_SIZE;

	@Test
	void achievesTheRequestedSpearmanCorrelations() {
		MonteCarloModel model = MonteCarloModel.builder()
			.input("units", Distribution.normal(1000, 150))
			.input("price", Distribution.triangular(8, 10, 14))
			.input("cost", Distribution.lognormal(50, 20))
			.input("share", Distribution.pert(0, 0.2, 1))
			.input("free", Distribution.uniform(0, 1))
			.correlate("units", "price", -0.6)
			.correlate("price", "cost", 0.4)
			.correlate("units", "share", 0.5)
			.output("y", "units")
			.build();
		double[][] samples = sample(model, 9);

		assertThat(spearman(samples[0], samples[1])).isCloseTo(-0.6, within(0.05));
		assertThat(spearman(samples[1], samples[2])).isCloseTo(0.4, within(0.05));
		assertThat(spearman(samples[0], samples[3])).isCloseTo(0.5, within(0.05));
		// Pairs not given stay near what the given ones imply; an input outside every
		// pair stays free.
		assertThat(spearman(samples[0], samples[4])).isCloseTo(0, within(0.05));
		assertThat(spearman(samples[2], samples[4])).isCloseTo(0, within(0.05));
	}

	@Test
	void reordersSamplesWithoutChangingThem() {
		MonteCarloModel.Builder builder = MonteCarloModel.builder()
			.input("a", Distribution.lognormal(10, 5))
			.input("b", Distribution.discrete(List.of(1.0, 2.0, 3.0), List.of(0.2, 0.3, 0.5)))
			.output("y", "a + b");
		double[][] free = sample(builder.build(), 4);
		double[][] correlated = sample(builder.correlate("a", "b", 0.7).build(), 4);

		for (int input = 0; input < 2; input++) {
			for (int block = 0; block < BLOCKS; block++) {
				int from = block * MonteCarloEngine.BLOCK_SIZE;
				int to = from + MonteCarloEngine.BLOCK_SIZE;
				double[] before = Arrays.copyOfRange(free[input], from, to);
				double[] after = Arrays.copyOfRange(correlated[input], from, to);
				Arrays.sort(before);
				Arrays.sort(after);
				assertThat(after).as("input %d, block %d", input, block).containsExactly(before);
			}
		}
		// Three values tie most ranks, which can only weaken the correlation seen.
		assertThat(spearman(correlated[0], correlated[1])).isBetween(0.5, 0.72);
	}

	@Test
	void sortsKeysLikeAComparisonSort() {
		SplittableRandom random = new SplittableRandom(1);
		int n = 3000;
		long[] keys = new long[n];
		for (int i = 0; i < n; i++) {
			keys[i] = (random.nextLong() & 0xFFFFFFFF00000000L) | i;
		}
		// Unsigned order of the upper half, then index: what the radix sort must produce.
		long[] expected = Arrays.stream(keys)
			.map((k) -> k ^ Long.MIN_VALUE)
			.sorted()
			.map((k) -> k ^ Long.MIN_VALUE)
			.toArray();
		long[] sorted = RankCorrelation.sort(keys, new long[n], n, new int[3 * 2048]);
		assertThat(Arrays.copyOf(sorted, n)).containsExactly(expected);
	}

	@Test
	void normalQuantileIsAccurate() {
		assertThat(RankCorrelation.normalQuantile(0.5)).isCloseTo(0, within(1e-12));
		assertThat(RankCorrelation.normalQuantile(0.975)).isCloseTo(1.959963985, within(1e-8));
		assertThat(RankCorrelation.normalQuantile(0.001)).isCloseTo(-3.090232306, within(1e-8));
	}

	/** The inputs of the first blocks of a run, exactly as the engine draws them. */
	private static double[][] sample(MonteCarloModel model, long seed) {
		int inputs = model.inputs().size();
		double[][] samples = new double[inputs][N];
		double[][] slots = model.program().newSlots(MonteCarloEngine.BLOCK_SIZE);
		RankCorrelation.Workspace workspace = new RankCorrelation.Workspace(MonteCarloEngine.BLOCK_SIZE);
		for (int block = 0; block < BLOCKS; block++) {
			SplittableRandom random = new SplittableRandom(SimulationRun.blockSeed(seed, block));
			model.sampleInputs(random, slots, MonteCarloEngine.BLOCK_SIZE, workspace);
			for (int i = 0; i < inputs; i++) {
				System.arraycopy(slots[i], 0, samples[i], block * MonteCarloEngine.BLOCK_SIZE,
						MonteCarloEngine.BLOCK_SIZE);
			}
		}
		return samples;
	}

	static double spearman(double[] x, double[] y) {
		return pearson(ranks(x), ranks(y));
	}

	/** Ranks with ties given their average rank, as Spearman's coefficient needs. */
	private static double[] ranks(double[] values) {
		Integer[] order = new Integer[values.length];
		for (int i = 0; i < order.length; i++) {
			order[i] = i;
		}
		Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
		double[] ranks = new double[values.length];
		int i = 0;
		while (i < order.length) {
			int j = i;
			while (j + 1 < order.length && values[order[j + 1]] == values[order[i]]) {
				j++;
			}
			for (int k = i; k <= j; k++) {
				ranks[order[k]] = (i + j) / 2.0;
			}
			i = j + 1;
		}
		return ranks;
	}

	private static double pearson(double[] x, double[] y) {
		double mx = Arrays.stream(x).average().orElseThrow();
		double my = Arrays.stream(y).average().orElseThrow();
		double sxy = 0;
		double sxx = 0;
		double syy = 0;
		for (int i = 0; i < x.length; i++) {
			sxy += (x[i] - mx) * (y[i] - my);
			sxx += (x[i] - mx) * (x[i] - mx);
			syy += (y[i] - my) * (y[i] - my);
		}
		return sxy / Math.sqrt(sxx * syy);
	}

}
