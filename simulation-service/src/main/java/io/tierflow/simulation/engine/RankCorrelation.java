package io.tierflow.simulation.engine;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Imposes Spearman rank correlations on a group of inputs, block by block, with the
 * method of Iman and Conover (1982): build a matrix of van der Waerden scores (normal
 * quantiles of i/(n+1)) whose columns are shuffled, transform it so that its correlation
 * is exactly the target, then reorder each input's samples to have the ranks of its
 * column. The marginal distributions are untouched: only which values share an iteration
 * changes.
 * <p>
 * The scores are normal, and the rank correlation of a bivariate normal with Pearson
 * correlation r is (6/π)·asin(r/2); the target is therefore the matrix of r =
 * 2·sin(π·ρ/6), which must be positive definite.
 */
final class RankCorrelation {

	/**
	 * Block lengths are at most 2^13 so that an index fits in the low bits of a sort key.
	 */
	static final int INDEX_BITS = 13;

	private static final int RADIX = 1 << 11;

	private static final int DIGIT = RADIX - 1;

	private final int[] slots;

	/** Lower Cholesky factor of the target correlation of the scores. */
	private final double[][] target;

	private RankCorrelation(int[] slots, double[][] target) {
		this.slots = slots;
		this.target = target;
	}

	/**
	 * The correlation of the inputs in {@code slots}, or {@code null} if the rank
	 * correlations {@code rho} (symmetric, ones on the diagonal) cannot hold together.
	 */
	static RankCorrelation of(int[] slots, double[][] rho) {
		int k = slots.length;
		double[][] pearson = new double[k][k];
		for (int i = 0; i < k; i++) {
			for (int j = 0; j < k; j++) {
				pearson[i][j] = (i == j) ? 1 : 2 * Math.sin(Math.PI * rho[i][j] / 6);
			}
		}
		double[][] factor = cholesky(pearson);
		return (factor != null) ? new RankCorrelation(slots.clone(), factor) : null;
	}

	/** Per-thread working memory, sized for one block. */
	static final class Workspace {

		private final int blockSize;

		private final double[] fullBlockScores;

		private double[][] scores = new double[0][];

		private double[][] transformed = new double[0][];

		private final long[] keys;

		private final long[] buffer;

		private final int[] counts = new int[3 * RADIX];

		private final int[] permutation;

		private final double[] sorted;

		Workspace(int blockSize) {
			this.blockSize = blockSize;
			this.fullBlockScores = scores(blockSize);
			this.keys = new long[blockSize];
			this.buffer = new long[blockSize];
			this.permutation = new int[blockSize];
			this.sorted = new double[blockSize];
		}

		private double[][] columns(double[][] current, int k) {
			if (current.length >= k) {
				return current;
			}
			double[][] grown = new double[k][this.blockSize];
			return grown;
		}

	}

	/** Reorders the first {@code n} samples of the group's inputs in {@code values}. */
	void apply(double[][] values, int n, SplittableRandom random, Workspace workspace) {
		int k = this.slots.length;
		if (n <= k) {
			// Too few iterations for a sample correlation matrix of full rank.
			return;
		}
		workspace.scores = workspace.columns(workspace.scores, k);
		workspace.transformed = workspace.columns(workspace.transformed, k);
		double[][] scores = workspace.scores;
		double[] base = (n == workspace.blockSize) ? workspace.fullBlockScores : scores(n);
		// The first column is shuffled as a permutation of ranks: its transformed column
		// is a positive multiple of it, so the permutation is already that column's order
		// and one sort is saved.
		int[] permutation = workspace.permutation;
		for (int i = 0; i < n; i++) {
			permutation[i] = i;
		}
		shuffle(permutation, n, random);
		double[] first = scores[0];
		for (int i = 0; i < n; i++) {
			first[i] = base[permutation[i]];
		}
		for (int j = 1; j < k; j++) {
			double[] column = scores[j];
			System.arraycopy(base, 0, column, 0, n);
			shuffle(column, n, random);
		}
		// The shuffled columns are correlated by chance; the factor of their correlation
		// undoes that, so that the result has exactly the target correlation.
		double[][] sample = new double[k][k];
		double squares = 0;
		for (int i = 0; i < n; i++) {
			squares += base[i] * base[i];
		}
		for (int a = 0; a < k; a++) {
			for (int b = 0; b <= a; b++) {
				sample[a][b] = (a == b) ? 1 : dot(scores[a], scores[b], n) / squares;
				sample[b][a] = sample[a][b];
			}
		}
		double[][] factor = cholesky(sample);
		if (factor == null) {
			return;
		}
		double[][] mixing = multiply(this.target, invertLower(factor));
		double[][] transformed = workspace.transformed;
		for (int j = 1; j < k; j++) {
			double[] column = transformed[j];
			double weight = mixing[j][0];
			double[] source = scores[0];
			for (int i = 0; i < n; i++) {
				column[i] = weight * source[i];
			}
			for (int l = 1; l <= j; l++) {
				weight = mixing[j][l];
				source = scores[l];
				for (int i = 0; i < n; i++) {
					column[i] += weight * source[i];
				}
			}
		}
		double[] samples = values[this.slots[0]];
		double[] sorted = sortedCopy(samples, n, workspace);
		for (int i = 0; i < n; i++) {
			samples[i] = sorted[permutation[i]];
		}
		for (int j = 1; j < k; j++) {
			rearrange(values[this.slots[j]], transformed[j], n, workspace);
		}
	}

	// Lemire's multiply-shift instead of a bounded nextInt: no division; its bias, below
	// 2^-20 for blocks of 4096, is far under what a rank correlation can show.

	private static void shuffle(int[] values, int n, SplittableRandom random) {
		for (int i = n - 1; i > 0; i--) {
			int other = (int) (((random.nextInt() & 0xFFFFFFFFL) * (i + 1)) >>> 32);
			int swap = values[i];
			values[i] = values[other];
			values[other] = swap;
		}
	}

	private static void shuffle(double[] values, int n, SplittableRandom random) {
		for (int i = n - 1; i > 0; i--) {
			int other = (int) (((random.nextInt() & 0xFFFFFFFFL) * (i + 1)) >>> 32);
			double swap = values[i];
			values[i] = values[other];
			values[other] = swap;
		}
	}

	/** The first {@code n} samples in ascending order, in the workspace. */
	private static double[] sortedCopy(double[] samples, int n, Workspace workspace) {
		long[] keys = workspace.keys;
		for (int i = 0; i < n; i++) {
			keys[i] = key(samples[i], i);
		}
		long[] order = sort(keys, workspace.buffer, n, workspace.counts);
		double[] sorted = workspace.sorted;
		for (int r = 0; r < n; r++) {
			sorted[r] = samples[(int) order[r]];
		}
		return sorted;
	}

	/**
	 * Gives {@code samples} the ranks of {@code ranks}: sorts the samples, finds the
	 * order of the ranks, and puts the r-th smallest sample where the r-th smallest rank
	 * is.
	 */
	private static void rearrange(double[] samples, double[] ranks, int n, Workspace workspace) {
		double[] sorted = sortedCopy(samples, n, workspace);
		long[] keys = workspace.keys;
		for (int i = 0; i < n; i++) {
			keys[i] = key(ranks[i], i);
		}
		long[] order = sort(keys, workspace.buffer, n, workspace.counts);
		for (int r = 0; r < n; r++) {
			samples[(int) order[r]] = sorted[r];
		}
	}

	/**
	 * A sort key: the top 32 bits of the value's bits made to order as unsigned numbers,
	 * above the index. Values equal to about 7 significant digits tie and keep their
	 * index order; exchanging the ranks of values that close changes nothing a rank
	 * correlation can see, and a 32-bit key sorts in four radix passes at most.
	 */
	private static long key(double value, int index) {
		long bits = Double.doubleToRawLongBits(value);
		bits ^= (bits >> 63) | Long.MIN_VALUE;
		return (bits & 0xFFFFFFFF00000000L) | index;
	}

	/**
	 * Stable least-significant-digit radix sort of the keys' upper 32 bits, 11 bits per
	 * pass, skipping digits that all keys share (the top one, sign and high exponent, is
	 * usually shared). Several times faster than a comparison sort on random doubles,
	 * whose branches mispredict at every level. Returns the array, {@code keys} or
	 * {@code buffer}, that holds the result.
	 */
	static long[] sort(long[] keys, long[] buffer, int n, int[] counts) {
		Arrays.fill(counts, 0);
		for (int i = 0; i < n; i++) {
			long k = keys[i];
			counts[(int) (k >>> 32) & DIGIT]++;
			counts[RADIX + ((int) (k >>> 43) & DIGIT)]++;
			counts[2 * RADIX + (int) (k >>> 54)]++;
		}
		long[] from = keys;
		long[] to = buffer;
		for (int pass = 0; pass < 3; pass++) {
			int base = pass * RADIX;
			int shift = 32 + 11 * pass;
			if (counts[base + ((int) (from[0] >>> shift) & DIGIT)] == n) {
				continue;
			}
			int sum = 0;
			for (int d = base; d < base + RADIX; d++) {
				int count = counts[d];
				counts[d] = sum;
				sum += count;
			}
			for (int i = 0; i < n; i++) {
				long k = from[i];
				to[counts[base + ((int) (k >>> shift) & DIGIT)]++] = k;
			}
			long[] swap = from;
			from = to;
			to = swap;
		}
		return from;
	}

	/** Van der Waerden scores Φ⁻¹(i/(n+1)), i = 1..n, in ascending order. */
	static double[] scores(int n) {
		double[] scores = new double[n];
		for (int i = 0; i < n; i++) {
			scores[i] = normalQuantile((i + 1.0) / (n + 1));
		}
		return scores;
	}

	private static double dot(double[] a, double[] b, int n) {
		double sum = 0;
		for (int i = 0; i < n; i++) {
			sum += a[i] * b[i];
		}
		return sum;
	}

	/**
	 * Lower-triangular L with L·Lᵀ = m, or {@code null} if m is not positive definite.
	 */
	static double[][] cholesky(double[][] m) {
		int k = m.length;
		double[][] l = new double[k][k];
		for (int i = 0; i < k; i++) {
			for (int j = 0; j <= i; j++) {
				double sum = m[i][j];
				for (int p = 0; p < j; p++) {
					sum -= l[i][p] * l[j][p];
				}
				if (i == j) {
					// A tolerance, so that a matrix singular up to rounding (ρ = ±1, or
					// one row a combination of others) is rejected, not divided by ~0.
					if (sum <= 1e-10) {
						return null;
					}
					l[i][i] = Math.sqrt(sum);
				}
				else {
					l[i][j] = sum / l[j][j];
				}
			}
		}
		return l;
	}

	private static double[][] invertLower(double[][] l) {
		int k = l.length;
		double[][] inverse = new double[k][k];
		for (int i = 0; i < k; i++) {
			inverse[i][i] = 1 / l[i][i];
			for (int j = 0; j < i; j++) {
				double sum = 0;
				for (int p = j; p < i; p++) {
					sum -= l[i][p] * inverse[p][j];
				}
				inverse[i][j] = sum / l[i][i];
			}
		}
		return inverse;
	}

	private static double[][] multiply(double[][] a, double[][] b) {
		int k = a.length;
		double[][] product = new double[k][k];
		for (int i = 0; i < k; i++) {
			for (int j = 0; j < k; j++) {
				double sum = 0;
				for (int p = 0; p < k; p++) {
					sum += a[i][p] * b[p][j];
				}
				product[i][j] = sum;
			}
		}
		return product;
	}

	/**
	 * The standard normal quantile, by Acklam's rational approximation (relative error
	 * below 1.15·10⁻⁹, ample for scores that only set ranks).
	 */
	static double normalQuantile(double p) {
		final double[] a = { -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
				1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00 };
		final double[] b = { -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
				6.680131188771972e+01, -1.328068155288572e+01 };
		final double[] c = { -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
				-2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00 };
		final double[] d = { 7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
				3.754408661907416e+00 };
		double low = 0.02425;
		if (p < low) {
			double q = Math.sqrt(-2 * Math.log(p));
			return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
					/ ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
		}
		if (p > 1 - low) {
			return -normalQuantile(1 - p);
		}
		double q = p - 0.5;
		double r = q * q;
		return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
				/ (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
	}

}
