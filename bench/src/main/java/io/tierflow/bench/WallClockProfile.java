package io.tierflow.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A small wall-clock profiler: samples the stacks of chosen threads at a fixed interval
 * and files each sample under the step it is in (by the rules given, the deepest matching
 * frame wins) and what the thread is doing there: waiting for PostgreSQL's answer,
 * waiting for a pooled connection, or running (or ready to run) in the JVM. Unlike a CPU
 * profiler it shows where the threads' elapsed time goes, waits included.
 */
final class WallClockProfile implements AutoCloseable {

	/** A step: the frames (class name suffix + "." + method) that mark it. */
	record Step(String label, List<String> frames) {

		static Step of(String label, String... frames) {
			return new Step(label, List.of(frames));
		}

		boolean matches(StackTraceElement frame) {
			String name = frame.getClassName() + "." + frame.getMethodName();
			for (String f : this.frames) {
				if (name.contains(f)) {
					return true;
				}
			}
			return false;
		}

	}

	private final Predicate<Thread> threads;

	private final List<Step> steps;

	private final Map<String, long[]> samples = new ConcurrentHashMap<>();

	private final Map<String, long[]> innermost = new ConcurrentHashMap<>();

	private final AtomicLong observed = new AtomicLong();

	private final Thread sampler;

	private volatile boolean running = true;

	/**
	 * @param threads the threads to sample
	 * @param steps the steps, outermost first
	 */
	WallClockProfile(Predicate<Thread> threads, List<Step> steps, long intervalMillis) {
		this.threads = threads;
		this.steps = steps;
		this.sampler = new Thread(() -> {
			while (this.running) {
				sample();
				try {
					Thread.sleep(intervalMillis);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		}, "bench-profiler");
		this.sampler.setDaemon(true);
		this.sampler.start();
	}

	private void sample() {
		for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
			if (!this.threads.test(e.getKey()) || e.getValue().length == 0) {
				continue;
			}
			StackTraceElement[] stack = e.getValue();
			this.observed.incrementAndGet();
			String label = null;
			// Outermost to innermost: the deepest matching step wins.
			for (int i = stack.length - 1; i >= 0; i--) {
				for (Step step : this.steps) {
					if (step.matches(stack[i])) {
						label = step.label();
					}
				}
			}
			if (label == null) {
				continue; // idle
			}
			this.samples.computeIfAbsent(label, (l) -> new long[3])[activity(stack)]++;
			for (StackTraceElement frame : stack) {
				String c = frame.getClassName();
				if (c.startsWith("org.flywaydb") || c.startsWith("io.tierflow")) {
					String name = c.substring(c.lastIndexOf('.') + 1) + "." + frame.getMethodName();
					this.innermost.computeIfAbsent(name, (n) -> new long[1])[0]++;
					break;
				}
			}
		}
	}

	/** 0: waiting for PostgreSQL, 1: waiting for a pool connection, 2: JVM. */
	private static int activity(StackTraceElement[] stack) {
		for (StackTraceElement frame : stack) {
			String c = frame.getClassName();
			if (c.startsWith("org.postgresql.core.VisibleBufferedInputStream")
					|| c.startsWith("org.postgresql.core.PGStream")) {
				return 0;
			}
			if (c.startsWith("com.zaxxer.hikari.pool.HikariPool") && frame.getMethodName().equals("getConnection")) {
				return 1;
			}
		}
		return 2;
	}

	/**
	 * Lines of a table: share of the sampled threads' time per step, split by activity,
	 * then the innermost platform or Flyway frames seen most often.
	 */
	List<String> report(int topFrames) {
		long all = Math.max(1, this.observed.get());
		List<String> lines = new ArrayList<>();
		lines.add(String.format(Locale.ROOT, "    %-46s %7s %9s %9s %9s", "step", "share", "in PG", "pool wait",
				"in JVM"));
		long[] sums = new long[3];
		this.samples.entrySet()
			.stream()
			.sorted(Comparator
				.comparingLong((Map.Entry<String, long[]> e) -> -(e.getValue()[0] + e.getValue()[1] + e.getValue()[2])))
			.forEach((e) -> {
				long[] s = e.getValue();
				long n = s[0] + s[1] + s[2];
				for (int i = 0; i < 3; i++) {
					sums[i] += s[i];
				}
				lines.add(String.format(Locale.ROOT, "    %-46s %6.1f%% %8.1f%% %8.1f%% %8.1f%%", e.getKey(),
						100.0 * n / all, 100.0 * s[0] / all, 100.0 * s[1] / all, 100.0 * s[2] / all));
			});
		long busy = sums[0] + sums[1] + sums[2];
		lines.add(String.format(Locale.ROOT, "    %-46s %6.1f%%", "idle", 100.0 * (all - busy) / all));
		lines.add(String.format(Locale.ROOT, "    %-46s %6.1f%% %8.1f%% %8.1f%% %8.1f%%   (%d samples)", "total", 100.0,
				100.0 * sums[0] / all, 100.0 * sums[1] / all, 100.0 * sums[2] / all, all));
		if (topFrames > 0) {
			lines.add("    innermost Tierflow/Flyway frames (share of busy samples):");
			this.innermost.entrySet()
				.stream()
				.sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[0]))
				.limit(topFrames)
				.forEach((e) -> lines.add(String.format(Locale.ROOT, "      %5.1f%%  %s",
						100.0 * e.getValue()[0] / Math.max(1, busy), e.getKey())));
		}
		return lines;
	}

	@Override
	public void close() {
		this.running = false;
		this.sampler.interrupt();
	}

}
