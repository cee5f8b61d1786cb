package io.tierflow.simulation.engine;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The percentile sketch keeps its stated error bound and merges in any order. */
class QuantileSketchTest {

	@Test
	void everyRankIsWithinTheRelativeErrorOfTheExactValue() {
		SplittableRandom random = new SplittableRandom(2);
		int n = 200_000;
		double[] values = new double[n];
		for (int i = 0; i < n; i++) {
			// Both signs, zeros, and magnitudes over many decades.
			double magnitude = Math.exp(random.nextGaussian() * 6);
			values[i] = (i % 10 == 0) ? 0 : (random.nextBoolean() ? magnitude : -magnitude);
		}
		QuantileSketch sketch = new QuantileSketch();
		sketch.addAll(values, n);
		double[] sorted = values.clone();
		Arrays.sort(sorted);

		assertThat(sketch.count()).isEqualTo(n);
		for (int rank = 0; rank < n; rank += 997) {
			double exact = sorted[rank];
			assertThat(Math.abs(sketch.valueAt(rank) - exact)).as("rank %d", rank)
				.isLessThanOrEqualTo(QuantileSketch.RELATIVE_ERROR * Math.abs(exact));
		}
		assertThat(sketch.valueAt(n - 1)).isCloseTo(sorted[n - 1],
				org.assertj.core.data.Percentage.withPercentage(0.1));
	}

	@Test
	void countsInfinitiesApartAndSkipsNan() {
		double[] values = { Double.NEGATIVE_INFINITY, -1, Double.NaN, 0, 1, Double.POSITIVE_INFINITY };
		QuantileSketch sketch = new QuantileSketch();
		sketch.addAll(values, values.length);
		assertThat(sketch.count()).isEqualTo(5);
		assertThat(sketch.valueAt(0)).isEqualTo(Double.NEGATIVE_INFINITY);
		assertThat(sketch.valueAt(2)).isZero();
		assertThat(sketch.valueAt(4)).isEqualTo(Double.POSITIVE_INFINITY);
	}

	@Test
	void mergesToTheSameSketchInAnyOrder() {
		SplittableRandom random = new SplittableRandom(3);
		QuantileSketch[] parts = new QuantileSketch[4];
		for (int p = 0; p < parts.length; p++) {
			double[] values = random.doubles(10_000, -1000 * (p + 1), 50 * (p + 1)).toArray();
			parts[p] = new QuantileSketch();
			parts[p].addAll(values, values.length);
		}
		QuantileSketch forward = new QuantileSketch();
		QuantileSketch backward = new QuantileSketch();
		for (int p = 0; p < parts.length; p++) {
			forward.merge(parts[p]);
			backward.merge(parts[parts.length - 1 - p]);
		}
		for (long rank = 0; rank < 40_000; rank += 1234) {
			assertThat(forward.valueAt(rank)).isEqualTo(backward.valueAt(rank));
		}
	}

}
