package io.tierflow.simulation.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import io.tierflow.simulation.engine.Distribution.Discrete;
import io.tierflow.simulation.engine.Distribution.Fixed;
import io.tierflow.simulation.engine.Distribution.Lognormal;
import io.tierflow.simulation.engine.Distribution.Normal;
import io.tierflow.simulation.engine.Distribution.Pert;
import io.tierflow.simulation.engine.Distribution.Triangular;
import io.tierflow.simulation.engine.Distribution.Uniform;

/**
 * Checks the parameters of a {@link Distribution} and turns a valid one into a
 * {@link Sampler} that fills a block of samples. The type switch happens once per model,
 * never per sample.
 */
final class Distributions {

	static final double PROBABILITY_TOLERANCE = 1e-6;

	private Distributions() {
	}

	/** Fills {@code out[0..n)} with independent draws. */
	interface Sampler {

		void fill(SplittableRandom random, double[] out, int n);

	}

	/**
	 * What is wrong with the parameters, in words for the model's author; empty if valid.
	 */
	static List<String> problems(Distribution distribution) {
		List<String> problems = new ArrayList<>();
		if (distribution == null) {
			problems.add("has no distribution");
		}
		else if (distribution instanceof Normal normal) {
			finite(problems, "the mean", normal.mean());
			positive(problems, "the standard deviation", normal.sd());
		}
		else if (distribution instanceof Lognormal lognormal) {
			positive(problems, "the mean of a lognormal", lognormal.mean());
			positive(problems, "the standard deviation", lognormal.sd());
		}
		else if (distribution instanceof Uniform uniform) {
			range(problems, uniform.min(), uniform.max());
		}
		else if (distribution instanceof Triangular triangular) {
			range(problems, triangular.min(), triangular.max());
			mode(problems, triangular.min(), triangular.mode(), triangular.max());
		}
		else if (distribution instanceof Pert pert) {
			range(problems, pert.min(), pert.max());
			mode(problems, pert.min(), pert.mode(), pert.max());
		}
		else if (distribution instanceof Discrete discrete) {
			discrete(problems, discrete);
		}
		else if (distribution instanceof Fixed fixed) {
			finite(problems, "the value", fixed.value());
		}
		return problems;
	}

	private static void finite(List<String> problems, String what, double value) {
		if (!Double.isFinite(value)) {
			problems.add(what + " must be a finite number, got " + value);
		}
	}

	private static void positive(List<String> problems, String what, double value) {
		if (!(value > 0) || !Double.isFinite(value)) {
			problems.add(what + " must be greater than 0, got " + value);
		}
	}

	private static void range(List<String> problems, double min, double max) {
		finite(problems, "the minimum", min);
		finite(problems, "the maximum", max);
		if (Double.isFinite(min) && Double.isFinite(max) && !(min < max)) {
			problems.add("the minimum must be less than the maximum, got min " + min + " and max " + max);
		}
	}

	private static void mode(List<String> problems, double min, double mode, double max) {
		finite(problems, "the most likely value", mode);
		if (Double.isFinite(mode) && min < max && (mode < min || mode > max)) {
			problems.add("the most likely value must lie between the minimum and the maximum, got " + mode
					+ " outside [" + min + ", " + max + "]");
		}
	}

	private static void discrete(List<String> problems, Discrete discrete) {
		List<Double> values = discrete.values();
		List<Double> probabilities = discrete.probabilities();
		if (values.isEmpty()) {
			problems.add("a discrete distribution needs at least one value");
			return;
		}
		if (values.size() != probabilities.size()) {
			problems.add("a discrete distribution needs one probability per value, got " + values.size()
					+ " values and " + probabilities.size() + " probabilities");
			return;
		}
		double sum = 0;
		for (int i = 0; i < values.size(); i++) {
			Double value = values.get(i);
			Double probability = probabilities.get(i);
			if (value == null || !Double.isFinite(value)) {
				problems.add("value " + (i + 1) + " must be a finite number, got " + value);
			}
			if (probability == null || !(probability >= 0) || !(probability <= 1)) {
				problems.add("probability " + (i + 1) + " must be a number between 0 and 1, got " + probability);
			}
			if (probability != null && Double.isFinite(probability)) {
				sum += probability;
			}
		}
		if (Math.abs(sum - 1) > PROBABILITY_TOLERANCE) {
			problems.add("the probabilities must sum to 1, they sum to " + sum);
		}
	}

	/** A sampler for a distribution that has no {@link #problems(Distribution)}. */
	static Sampler sampler(Distribution distribution) {
		if (distribution instanceof Normal normal) {
			double mean = normal.mean();
			double sd = normal.sd();
			return (random, out, n) -> {
				for (int i = 0; i < n; i++) {
					out[i] = mean + sd * random.nextGaussian();
				}
			};
		}
		if (distribution instanceof Lognormal lognormal) {
			double mu = lognormal.logMean();
			double sigma = Math.sqrt(lognormal.logVariance());
			return (random, out, n) -> {
				for (int i = 0; i < n; i++) {
					out[i] = Math.exp(mu + sigma * random.nextGaussian());
				}
			};
		}
		if (distribution instanceof Uniform uniform) {
			double min = uniform.min();
			double width = uniform.max() - uniform.min();
			return (random, out, n) -> {
				for (int i = 0; i < n; i++) {
					out[i] = min + width * random.nextDouble();
				}
			};
		}
		if (distribution instanceof Triangular triangular) {
			return triangular(triangular);
		}
		if (distribution instanceof Pert pert) {
			return pert(pert);
		}
		if (distribution instanceof Discrete discrete) {
			return discrete(discrete);
		}
		if (distribution instanceof Fixed fixed) {
			double value = fixed.value();
			return (random, out, n) -> Arrays.fill(out, 0, n, value);
		}
		throw new IllegalArgumentException("Unknown distribution " + distribution);
	}

	/** Inverse of the distribution function: one uniform and one square root per draw. */
	private static Sampler triangular(Triangular triangular) {
		double a = triangular.min();
		double b = triangular.max();
		double c = triangular.mode();
		double split = (c - a) / (b - a);
		double left = (b - a) * (c - a);
		double right = (b - a) * (b - c);
		return (random, out, n) -> {
			for (int i = 0; i < n; i++) {
				double u = random.nextDouble();
				out[i] = (u < split) ? a + Math.sqrt(u * left) : b - Math.sqrt((1 - u) * right);
			}
		};
	}

	/**
	 * Beta(α, β) as X / (X + Y) of two gamma draws; PERT's shapes are at least 1, so
	 * Marsaglia and Tsang's method applies without the boost for shapes below 1.
	 */
	private static Sampler pert(Pert pert) {
		double min = pert.min();
		double width = pert.max() - pert.min();
		double alpha = pert.alpha();
		double beta = pert.beta();
		return (random, out, n) -> {
			for (int i = 0; i < n; i++) {
				double x = gamma(random, alpha);
				double y = gamma(random, beta);
				out[i] = min + width * (x / (x + y));
			}
		};
	}

	/** Marsaglia and Tsang (2000), for shape ≥ 1. */
	static double gamma(SplittableRandom random, double shape) {
		double d = shape - 1.0 / 3;
		double c = 1 / Math.sqrt(9 * d);
		while (true) {
			double x = random.nextGaussian();
			double v = 1 + c * x;
			if (v <= 0) {
				continue;
			}
			v = v * v * v;
			double u = random.nextDouble();
			double x2 = x * x;
			if (u < 1 - 0.0331 * x2 * x2) {
				return d * v;
			}
			if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) {
				return d * v;
			}
		}
	}

	/**
	 * Inverse of the cumulative probabilities. With few values the index is a count of
	 * thresholds passed, without branches to mispredict; with many, a binary search.
	 */
	private static Sampler discrete(Discrete discrete) {
		int size = discrete.values().size();
		double[] values = new double[size];
		double[] cumulative = new double[size];
		double total = 0;
		for (int i = 0; i < size; i++) {
			values[i] = discrete.values().get(i);
			total += discrete.probabilities().get(i);
			cumulative[i] = total;
		}
		// Normalised so that rounding in the sum can never leave a gap above the last
		// value.
		for (int i = 0; i < size; i++) {
			cumulative[i] /= total;
		}
		double[] thresholds = Arrays.copyOf(cumulative, size - 1);
		if (size <= 8) {
			return (random, out, n) -> {
				for (int i = 0; i < n; i++) {
					double u = random.nextDouble();
					int k = 0;
					for (double threshold : thresholds) {
						k += (u >= threshold) ? 1 : 0;
					}
					out[i] = values[k];
				}
			};
		}
		return (random, out, n) -> {
			for (int i = 0; i < n; i++) {
				int k = Arrays.binarySearch(thresholds, random.nextDouble());
				// Found: u equals a threshold, which belongs to the next value.
				out[i] = values[(k >= 0) ? k + 1 : -k - 1];
			}
		};
	}

}
