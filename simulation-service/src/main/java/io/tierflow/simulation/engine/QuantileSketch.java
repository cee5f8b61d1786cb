package io.tierflow.simulation.engine;

/**
 * Counts of values in logarithmic buckets read straight off the IEEE-754 bits: a bucket
 * is an exponent and the top {@value #MANTISSA_BITS} bits of the mantissa, so each spans
 * a relative width of at most 2<sup>−9</sup> and its midpoint is within
 * {@link #RELATIVE_ERROR} = 2<sup>−10</sup> (≈ 0.1 %) of the magnitude of every value in
 * it. Hence {@link #valueAt(long)} returns the k-th smallest value added, up to that
 * relative error, whatever the number of values.
 * <p>
 * The counts are integers, so merging the sketches of several threads gives the same
 * sketch in any order: the percentiles of a run do not depend on how its blocks were
 * spread over threads. Memory grows with the spread of magnitudes, not with the number of
 * values: 512 counters per power of two spanned (a few thousand for a typical output
 * spanning some decades; at most about 8 MiB per sign for values spread over the whole
 * double range). Zeros and infinities are counted apart; NaN is not counted.
 */
final class QuantileSketch {

	static final int MANTISSA_BITS = 9;

	/**
	 * Bound on |estimate − exact| / |exact| of {@link #valueAt(long)} for normal doubles.
	 */
	static final double RELATIVE_ERROR = 0x1p-10;

	private static final int SHIFT = 52 - MANTISSA_BITS;

	private final Store positive = new Store();

	private final Store negative = new Store();

	private long zeros;

	private long positiveInfinities;

	private long negativeInfinities;

	/** Adds the first {@code n} values, skipping NaN. */
	void addAll(double[] values, int n) {
		for (int i = 0; i < n; i++) {
			double x = values[i];
			if (x > 0) {
				if (x == Double.POSITIVE_INFINITY) {
					this.positiveInfinities++;
				}
				else {
					this.positive.add((int) (Double.doubleToRawLongBits(x) >>> SHIFT));
				}
			}
			else if (x < 0) {
				if (x == Double.NEGATIVE_INFINITY) {
					this.negativeInfinities++;
				}
				else {
					this.negative.add((int) ((Double.doubleToRawLongBits(x) & Long.MAX_VALUE) >>> SHIFT));
				}
			}
			else if (x == 0) {
				this.zeros++;
			}
		}
	}

	void merge(QuantileSketch other) {
		this.positive.merge(other.positive);
		this.negative.merge(other.negative);
		this.zeros += other.zeros;
		this.positiveInfinities += other.positiveInfinities;
		this.negativeInfinities += other.negativeInfinities;
	}

	long count() {
		return this.negativeInfinities + this.negative.total() + this.zeros + this.positive.total()
				+ this.positiveInfinities;
	}

	/**
	 * The value of 0-based rank {@code rank} in ascending order, within the relative
	 * error.
	 */
	double valueAt(long rank) {
		double[] found = { Double.NaN };
		long[] remaining = { rank };
		forEach((value, count) -> {
			if (remaining[0] >= 0 && remaining[0] < count) {
				found[0] = value;
			}
			remaining[0] -= count;
		});
		return found[0];
	}

	/** Every non-empty bucket in ascending order of value, as its midpoint and count. */
	void forEach(BucketConsumer consumer) {
		if (this.negativeInfinities > 0) {
			consumer.accept(Double.NEGATIVE_INFINITY, this.negativeInfinities);
		}
		for (int i = this.negative.counts.length - 1; i >= 0; i--) {
			if (this.negative.counts[i] > 0) {
				consumer.accept(-midpoint(this.negative.offset + i), this.negative.counts[i]);
			}
		}
		if (this.zeros > 0) {
			consumer.accept(0, this.zeros);
		}
		for (int i = 0; i < this.positive.counts.length; i++) {
			if (this.positive.counts[i] > 0) {
				consumer.accept(midpoint(this.positive.offset + i), this.positive.counts[i]);
			}
		}
		if (this.positiveInfinities > 0) {
			consumer.accept(Double.POSITIVE_INFINITY, this.positiveInfinities);
		}
	}

	private static double midpoint(int index) {
		double low = Double.longBitsToDouble((long) index << SHIFT);
		double high = Double.longBitsToDouble((long) (index + 1) << SHIFT);
		if (Double.isInfinite(high)) {
			high = Double.MAX_VALUE;
		}
		return low + (high - low) / 2;
	}

	interface BucketConsumer {

		void accept(double value, long count);

	}

	/** Counters for a contiguous range of bucket indexes, grown on demand. */
	private static final class Store {

		private long[] counts = new long[0];

		private int offset;

		void add(int index) {
			int i = index - this.offset;
			if (i < 0 || i >= this.counts.length) {
				grow(index, index);
				i = index - this.offset;
			}
			this.counts[i]++;
		}

		long total() {
			long total = 0;
			for (long count : this.counts) {
				total += count;
			}
			return total;
		}

		void merge(Store other) {
			if (other.counts.length == 0) {
				return;
			}
			grow(other.offset, other.offset + other.counts.length - 1);
			for (int i = 0; i < other.counts.length; i++) {
				this.counts[other.offset + i - this.offset] += other.counts[i];
			}
		}

		/** Makes room for indexes {@code low..high}, with slack so growth is rare. */
		private void grow(int low, int high) {
			if (this.counts.length == 0) {
				int slack = 256;
				this.offset = Math.max(0, low - slack);
				this.counts = new long[high - this.offset + 1 + slack];
				return;
			}
			int end = this.offset + this.counts.length;
			if (low >= this.offset && high < end) {
				return;
			}
			int slack = Math.max(256, this.counts.length / 2);
			int newOffset = (low < this.offset) ? Math.max(0, low - slack) : this.offset;
			int newEnd = (high >= end) ? high + 1 + slack : end;
			long[] grown = new long[newEnd - newOffset];
			System.arraycopy(this.counts, 0, grown, this.offset - newOffset, this.counts.length);
			this.counts = grown;
			this.offset = newOffset;
		}

	}

}
