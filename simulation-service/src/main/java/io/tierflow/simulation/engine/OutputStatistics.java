package io.tierflow.simulation.engine;

import java.util.List;
import java.util.NoSuchElementException;

/**
 * What a run found about one output. Iterations where the output is NaN (0/0, log or sqrt
 * of a negative, …) are counted as {@code invalid} and left out of every statistic;
 * infinities are kept.
 * <p>
 * Mean, standard deviation, minimum and maximum are exact (up to rounding). Percentiles
 * and the histogram come from a {@link QuantileSketch}: each percentile is within 0.1 %
 * (2<sup>−10</sup> relative) of the exact nearest-rank percentile of the values computed,
 * for any number of iterations, and a value is put in a neighbouring histogram bin only
 * if it lies within that 0.1 % of a bin edge.
 *
 * @param name the output's name
 * @param count iterations with a value (not NaN)
 * @param invalid iterations where the output was NaN
 * @param mean the mean
 * @param standardDeviation the sample standard deviation (n − 1 in the denominator; 0 for
 * one value)
 * @param min the smallest value
 * @param max the largest value
 * @param percentiles the 1st, 5th, 10th, 25th, 50th, 75th, 90th, 95th and 99th
 * percentiles
 * @param histogram counts of values in equal bins over [min, max]
 * @param convergence the running mean at evenly spaced points of the run
 */
public record OutputStatistics(String name, long count, long invalid, double mean, double standardDeviation, double min,
		double max, List<Percentile> percentiles, Histogram histogram, List<ConvergencePoint> convergence) {

	/** The percentiles every result carries. */
	public static final List<Integer> PERCENTS = List.of(1, 5, 10, 25, 50, 75, 90, 95, 99);

	public OutputStatistics {
		percentiles = List.copyOf(percentiles);
		convergence = List.copyOf(convergence);
	}

	/** One of {@link #PERCENTS}. */
	public double percentile(int percent) {
		return this.percentiles.stream()
			.filter((p) -> p.percent() == percent)
			.findFirst()
			.orElseThrow(() -> new NoSuchElementException("No " + percent + "th percentile; there are " + PERCENTS))
			.value();
	}

	/**
	 * The smallest value with at least {@code percent} % of the values at or below it.
	 */
	public record Percentile(int percent, double value) {

	}

	/**
	 * Counts in equal-width bins from {@code min} to {@code max} (one bin if all values
	 * are equal); −∞ is counted in the first bin and +∞ in the last, the range being that
	 * of the finite values.
	 */
	public record Histogram(double min, double max, List<Long> counts) {

		public Histogram {
			counts = List.copyOf(counts);
		}

		public double binWidth() {
			return (this.counts.isEmpty()) ? 0 : (this.max - this.min) / this.counts.size();
		}

	}

	/** The mean over the first {@code iterations} iterations. */
	public record ConvergencePoint(long iterations, double mean) {

	}

}
