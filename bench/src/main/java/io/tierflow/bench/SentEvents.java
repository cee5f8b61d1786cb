package io.tierflow.bench;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The events one phase sent: each unique event id with the time it was (scheduled to be)
 * sent, and how many were sent a second time. Times are {@link System#nanoTime()}; the
 * phase's anchor turns them into wall-clock instants, to compare with the ledger's
 * timestamps (same machine, same clock).
 */
final class SentEvents {

	private final long anchorNanos = System.nanoTime();

	private final Instant anchorWall = Instant.now();

	private final Map<String, Long> sentAtNanos;

	private final AtomicLong count = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private final AtomicReference<Exception> firstFailure = new AtomicReference<>();

	private long duplicates;

	private long firstNanos = Long.MAX_VALUE;

	private long lastNanos;

	private long maxLateNanos;

	SentEvents(int expected) {
		this.sentAtNanos = new HashMap<>(expected * 4 / 3 + 16);
	}

	/** The wall-clock instant of a {@link System#nanoTime()} of this phase. */
	Instant instantAt(long nanos) {
		return this.anchorWall.plusNanos(nanos - this.anchorNanos);
	}

	/** Microseconds since the epoch at a {@link System#nanoTime()} of this phase. */
	long wallMicrosAt(long nanos) {
		return micros(this.anchorWall) + (nanos - this.anchorNanos) / 1000;
	}

	static long micros(Instant instant) {
		return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1000;
	}

	void sent(String id, long scheduledNanos, long actualNanos) {
		this.sentAtNanos.put(id, scheduledNanos);
		this.firstNanos = Math.min(this.firstNanos, scheduledNanos);
		this.lastNanos = Math.max(this.lastNanos, actualNanos);
		this.maxLateNanos = Math.max(this.maxLateNanos, actualNanos - scheduledNanos);
		this.count.incrementAndGet();
	}

	void sentAgain() {
		this.duplicates++;
	}

	void failed(Exception ex) {
		this.failed.incrementAndGet();
		this.firstFailure.compareAndSet(null, ex);
	}

	/**
	 * @throws IllegalStateException if the broker did not take every event: the phase
	 * would measure the bench, not the system
	 */
	void checkAllSent() {
		if (this.failed.get() > 0) {
			throw new IllegalStateException(this.failed.get() + " sends failed", this.firstFailure.get());
		}
	}

	/** Sends the broker refused so far. */
	long failed() {
		return this.failed.get();
	}

	/** Unique events sent so far (for progress lines). */
	long count() {
		return this.count.get();
	}

	/** Unique events. */
	int unique() {
		return this.sentAtNanos.size();
	}

	/** Records sent: unique events and their second copies. */
	long records() {
		return this.sentAtNanos.size() + this.duplicates;
	}

	long duplicates() {
		return this.duplicates;
	}

	Map<String, Long> sentAtNanos() {
		return this.sentAtNanos;
	}

	/** When the first event was (scheduled to be) sent. */
	long firstNanos() {
		return this.firstNanos;
	}

	/** When the last send returned. */
	long lastNanos() {
		return this.lastNanos;
	}

	/** How far behind its schedule the sender fell at worst. */
	long maxLateNanos() {
		return this.maxLateNanos;
	}

}
