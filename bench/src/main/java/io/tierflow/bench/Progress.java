package io.tierflow.bench;

import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Prints a progress line every couple of seconds while work runs: how many are done, the
 * overall rate and the rate over the last interval.
 */
final class Progress implements AutoCloseable {

	private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor((r) -> {
		Thread t = new Thread(r, "bench-progress");
		t.setDaemon(true);
		return t;
	});

	private final long startedAt = System.nanoTime();

	private final AtomicLong lastCount = new AtomicLong();

	private final AtomicLong lastAt = new AtomicLong(this.startedAt);

	Progress(String what, long total, LongSupplier done, LongSupplier failed, long intervalMillis) {
		this.ticker.scheduleAtFixedRate(() -> {
			long now = System.nanoTime();
			long count = done.getAsLong();
			double overall = count / ((now - this.startedAt) / 1e9);
			double recent = (count - this.lastCount.getAndSet(count)) / ((now - this.lastAt.getAndSet(now)) / 1e9);
			Bench.say(String.format(Locale.ROOT, "  %s %d/%d  %.1f s  %.1f/s overall, %.1f/s last %.0f s, %d failed",
					what, count, total, (now - this.startedAt) / 1e9, overall, recent, intervalMillis / 1000.0,
					failed.getAsLong()));
		}, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
	}

	@Override
	public void close() {
		this.ticker.shutdownNow();
	}

}
