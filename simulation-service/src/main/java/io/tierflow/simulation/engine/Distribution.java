package io.tierflow.simulation.engine;

import java.util.List;

/**
 * The uncertainty of one model input: what a spreadsheet risk tool calls a distribution.
 * The records hold parameters as given; they are checked when the model is built, so that
 * every problem of a model is reported at once (see {@link ModelException}) instead of
 * the first one thrown from a constructor.
 */
public sealed interface Distribution {

	/** The mean of the distribution, from its parameters (not sampled). */
	double mean();

	/** The standard deviation of the distribution, from its parameters (not sampled). */
	double standardDeviation();

	static Distribution normal(double mean, double sd) {
		return new Normal(mean, sd);
	}

	/**
	 * A lognormal variable given by the mean and standard deviation <em>of the variable
	 * itself</em> (what a user can estimate: "cost 100 ± 30"), not of its logarithm.
	 */
	static Distribution lognormal(double mean, double sd) {
		return new Lognormal(mean, sd);
	}

	static Distribution uniform(double min, double max) {
		return new Uniform(min, max);
	}

	static Distribution triangular(double min, double mode, double max) {
		return new Triangular(min, mode, max);
	}

	static Distribution pert(double min, double mode, double max) {
		return new Pert(min, mode, max);
	}

	static Distribution discrete(List<Double> values, List<Double> probabilities) {
		return new Discrete(values, probabilities);
	}

	static Distribution fixed(double value) {
		return new Fixed(value);
	}

	/** Normal with the given mean and standard deviation ({@code sd > 0}). */
	record Normal(double mean, double sd) implements Distribution {

		@Override
		public double standardDeviation() {
			return this.sd;
		}

	}

	/**
	 * Lognormal with the given mean ({@code > 0}) and standard deviation ({@code > 0}) of
	 * the variable itself; the parameters of its logarithm are derived from them.
	 */
	record Lognormal(double mean, double sd) implements Distribution {

		@Override
		public double standardDeviation() {
			return this.sd;
		}

		/** Variance of the logarithm: {@code ln(1 + sd²/mean²)}. */
		double logVariance() {
			return Math.log1p((this.sd / this.mean) * (this.sd / this.mean));
		}

		/** Mean of the logarithm: {@code ln(mean) − logVariance/2}. */
		double logMean() {
			return Math.log(this.mean) - logVariance() / 2;
		}

	}

	/** Uniform on {@code [min, max)} with {@code min < max}. */
	record Uniform(double min, double max) implements Distribution {

		@Override
		public double mean() {
			return (this.min + this.max) / 2;
		}

		@Override
		public double standardDeviation() {
			return (this.max - this.min) / Math.sqrt(12);
		}

	}

	/** Triangular on {@code [min, max]} peaking at {@code mode}. */
	record Triangular(double min, double mode, double max) implements Distribution {

		@Override
		public double mean() {
			return (this.min + this.mode + this.max) / 3;
		}

		@Override
		public double standardDeviation() {
			double a = this.min;
			double b = this.max;
			double c = this.mode;
			return Math.sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18);
		}

	}

	/**
	 * Beta-PERT on {@code [min, max]} with the given most likely value and the classic
	 * weight λ = 4 on the mode: a Beta(α, β) scaled to the range, with
	 * {@code α = 1 + 4(mode − min)/(max − min)} and
	 * {@code β = 1 + 4(max − mode)/(max − min)}.
	 */
	record Pert(double min, double mode, double max) implements Distribution {

		static final double LAMBDA = 4;

		double alpha() {
			return 1 + LAMBDA * (this.mode - this.min) / (this.max - this.min);
		}

		double beta() {
			return 1 + LAMBDA * (this.max - this.mode) / (this.max - this.min);
		}

		@Override
		public double mean() {
			return (this.min + LAMBDA * this.mode + this.max) / (LAMBDA + 2);
		}

		@Override
		public double standardDeviation() {
			double a = alpha();
			double b = beta();
			return (this.max - this.min) * Math.sqrt(a * b / ((a + b) * (a + b) * (a + b + 1)));
		}

	}

	/**
	 * Finitely many values, each with its probability; the probabilities are non-negative
	 * and sum to 1 (within 10⁻⁶).
	 */
	record Discrete(List<Double> values, List<Double> probabilities) implements Distribution {

		public Discrete {
			values = List.copyOf(values);
			probabilities = List.copyOf(probabilities);
		}

		@Override
		public double mean() {
			double mean = 0;
			for (int i = 0; i < Math.min(this.values.size(), this.probabilities.size()); i++) {
				mean += this.values.get(i) * this.probabilities.get(i);
			}
			return mean;
		}

		@Override
		public double standardDeviation() {
			double mean = mean();
			double variance = 0;
			for (int i = 0; i < Math.min(this.values.size(), this.probabilities.size()); i++) {
				double d = this.values.get(i) - mean;
				variance += d * d * this.probabilities.get(i);
			}
			return Math.sqrt(variance);
		}

	}

	/** A constant: an input that is not uncertain (yet). */
	record Fixed(double value) implements Distribution {

		@Override
		public double mean() {
			return this.value;
		}

		@Override
		public double standardDeviation() {
			return 0;
		}

	}

}
