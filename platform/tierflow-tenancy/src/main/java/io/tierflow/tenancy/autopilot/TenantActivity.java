package io.tierflow.tenancy.autopilot;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Each tenant's statements on this instance since the last {@link #drain}: how many, how
 * many wrote, and a histogram of their times. Recorded by the statement timing of the
 * routing ({@code TimedConnection}) on the request path: a map lookup and three atomic
 * adds a statement, nothing sent anywhere. Never a metric: a tenant is no label
 * ({@link TenantStatistics} keeps the figures in the control database).
 *
 * <p>
 * The histogram's buckets grow by √2 from 64 µs (bucket 0 holds everything below 64 µs,
 * the last everything above ~46 s): a p95 read from it is within 41 % of the true one,
 * enough to compare with a threshold. At most {@code maxTenants} tenants are tracked in a
 * window; statements of others are counted as untracked.
 */
public final class TenantActivity {

	/** Number of latency buckets. */
	public static final int BUCKETS = 40;

	private static final long FIRST_BUCKET_NANOS = 64_000;

	private final int maxTenants;

	private final AtomicReference<Map<UUID, Counter>> current = new AtomicReference<>(new ConcurrentHashMap<>());

	private final AtomicLong untracked = new AtomicLong();

	public TenantActivity(int maxTenants) {
		this.maxTenants = maxTenants;
	}

	/** Counts one statement of the tenant. */
	public void record(UUID tenant, long nanos, boolean write) {
		Map<UUID, Counter> counters = this.current.get();
		Counter counter = counters.get(tenant);
		if (counter == null) {
			if (counters.size() >= this.maxTenants) {
				this.untracked.incrementAndGet();
				return;
			}
			counter = counters.computeIfAbsent(tenant, (t) -> new Counter());
		}
		counter.queries.increment();
		if (write) {
			counter.writes.increment();
		}
		counter.latency.incrementAndGet(bucket(nanos));
	}

	/** The counts since the last drain, which start again from zero. */
	public Map<UUID, Window> drain() {
		Map<UUID, Counter> drained = this.current.getAndSet(new ConcurrentHashMap<>());
		Map<UUID, Window> windows = new HashMap<>(drained.size() * 2);
		drained.forEach((tenant, c) -> {
			long[] latency = new long[BUCKETS];
			for (int i = 0; i < BUCKETS; i++) {
				latency[i] = c.latency.get(i);
			}
			windows.put(tenant, new Window(c.queries.sum(), c.writes.sum(), latency));
		});
		return windows;
	}

	/** Statements of tenants beyond {@code maxTenants} in their window, since start. */
	public long untracked() {
		return this.untracked.get();
	}

	/** The bucket of a statement that took {@code nanos}. */
	static int bucket(long nanos) {
		if (nanos < FIRST_BUCKET_NANOS) {
			return 0;
		}
		double halfOctaves = 2 * (Math.log((double) nanos / FIRST_BUCKET_NANOS) / Math.log(2));
		return (int) Math.min(BUCKETS - 1, 1 + (long) halfOctaves);
	}

	/** The upper bound of a bucket, in milliseconds. */
	static double upperMillis(int bucket) {
		return FIRST_BUCKET_NANOS * Math.pow(2, bucket / 2.0) / 1e6;
	}

	/**
	 * The p95 of a histogram, in milliseconds (its bucket's upper bound), or null when it
	 * is empty.
	 */
	public static Double p95Millis(long[] latency) {
		long total = 0;
		for (long n : latency) {
			total += n;
		}
		if (total == 0) {
			return null;
		}
		long rank = (long) Math.ceil(total * 0.95);
		long seen = 0;
		for (int i = 0; i < latency.length; i++) {
			seen += latency[i];
			if (seen >= rank) {
				return upperMillis(i);
			}
		}
		return upperMillis(latency.length - 1);
	}

	/** One tenant's statements in a window. */
	public record Window(long queries, long writes, long[] latency) {
	}

	private static final class Counter {

		private final LongAdder queries = new LongAdder();

		private final LongAdder writes = new LongAdder();

		private final AtomicLongArray latency = new AtomicLongArray(BUCKETS);

	}

}
