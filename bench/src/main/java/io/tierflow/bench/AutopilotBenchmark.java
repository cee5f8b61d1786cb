package io.tierflow.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.github.f4b6a3.uuid.UuidCreator;
import io.tierflow.tenancy.autopilot.Autopilot;
import io.tierflow.tenancy.autopilot.PlacementPolicy;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The placement autopilot at 1,000 SHARED tenants of one simulation-service whose data
 * grows skewed (a Zipf law: a few tenants write most rows). The policy moves a tenant to
 * DEDICATED at {@code threshold} rows, automatically. The bench writes through the
 * service's own routing and knows when each tenant's rows crossed the threshold; it
 * reports, per tenant moved, the time from that crossing to its move's end (every move is
 * the mover's: copied, streamed, fenced, verified), the moves done and failed, tenants
 * that crossed and were not moved by the end, and flapping: a tenant moved more than once
 * (there is no reason to in this run, so any is wrong).
 */
final class AutopilotBenchmark {

	private static final String PREFIX = "bench_auto";

	private final int tenants;

	private final int threshold;

	private final int rate;

	private final int seconds;

	private final int settleSeconds;

	private final double skew;

	private final Map<String, String> settings;

	AutopilotBenchmark(Map<String, String> options) {
		this.tenants = Bench.intOption(options, "tenants", 1000);
		this.threshold = Bench.intOption(options, "threshold", 3000);
		this.rate = Bench.intOption(options, "rate", 1500);
		this.seconds = Bench.intOption(options, "seconds", 180);
		this.settleSeconds = Bench.intOption(options, "settle-seconds", 120);
		this.skew = Double.parseDouble(options.getOrDefault("skew", "1.1"));
		this.settings = Bench.serviceSettings(options);
		this.settings.putIfAbsent("tierflow.tenancy.autopilot.flush", "1s");
		this.settings.putIfAbsent("tierflow.tenancy.autopilot.window", "10s");
		this.settings.putIfAbsent("tierflow.tenancy.autopilot.measure-limit", "2000");
		this.settings.putIfAbsent("tierflow.tenancy.placement-cache-ttl", "5s");
	}

	String run() throws Exception {
		Bench.say(String.format(Locale.ROOT,
				"autopilot: %d SHARED tenants, Zipf(%.2f) growth at %d rows/s for %d s, DEDICATED at %d rows,"
						+ " automatic",
				this.tenants, this.skew, this.rate, this.seconds, this.threshold));
		try (ConfigurableApplicationContext service = ServiceUnderBench.start(PREFIX, false, this.settings)) {
			FleetMigrateBenchmark.awaitStartupRollout(service);
			TenantProvisioner provisioner = service.getBean(TenantProvisioner.class);
			List<UUID> ids = new ArrayList<>();
			long at = System.nanoTime();
			ExecutorService provisioners = Executors.newFixedThreadPool(8);
			List<Future<UUID>> placed = new ArrayList<>();
			for (int i = 0; i < this.tenants; i++) {
				placed.add(provisioners.submit(() -> {
					UUID id = UUID.randomUUID();
					TenantPlacement p = provisioner.provision(id, Tier.SHARED, "eu");
					if (p.state() != PlacementState.READY) {
						throw new IllegalStateException("Provisioning failed: " + p.error());
					}
					return id;
				}));
			}
			for (Future<UUID> f : placed) {
				ids.add(f.get());
			}
			provisioners.shutdown();
			Bench.say(String.format(Locale.ROOT, "  provisioned %d SHARED tenants in %.1f s", ids.size(),
					(System.nanoTime() - at) / 1e9));

			Autopilot autopilot = service.getBean(Autopilot.class);
			autopilot.setPolicy(new PlacementPolicy(
					List.of(new PlacementPolicy.Rule(Tier.DEDICATED, (long) this.threshold, null, null, null)), 0.2,
					Duration.ofMinutes(30), true, 4, 4, null, null), "bench");

			Map<UUID, Instant> crossed = new ConcurrentHashMap<>();
			long[] written = grow(service, ids, crossed);
			Bench.say(String.format(Locale.ROOT,
					"  wrote %d rows; the largest tenant has %d, the median %d; %d tenants crossed %d rows",
					Arrays.stream(written).sum(), Arrays.stream(written).max().orElse(0), median(written),
					crossed.size(), this.threshold));

			// The moves of the last tenants to cross end after the writes stop.
			long settleUntil = System.nanoTime() + Duration.ofSeconds(this.settleSeconds).toNanos();
			while (System.nanoTime() < settleUntil && !allEnded(autopilot, crossed.keySet())) {
				Thread.sleep(1000);
			}
			return report(autopilot, ids, crossed);
		}
	}

	/**
	 * Writes rows at {@code rate} for {@code seconds}, each to a tenant drawn by the Zipf
	 * law, and notes when a tenant's rows reach the threshold.
	 */
	private long[] grow(ConfigurableApplicationContext service, List<UUID> ids, Map<UUID, Instant> crossed)
			throws Exception {
		JdbcClient jdbc = service.getBean(JdbcClient.class);
		TransactionTemplate tx = new TransactionTemplate(service.getBean(PlatformTransactionManager.class));
		double[] cumulative = new double[ids.size()];
		double sum = 0;
		for (int i = 0; i < ids.size(); i++) {
			sum += 1 / Math.pow(i + 1, this.skew);
			cumulative[i] = sum;
		}
		double total = sum;
		AtomicLong[] counts = new AtomicLong[ids.size()];
		for (int i = 0; i < counts.length; i++) {
			counts[i] = new AtomicLong();
		}
		AtomicBoolean running = new AtomicBoolean(true);
		AtomicInteger failures = new AtomicInteger();
		int threads = 8;
		long perThreadNanos = 1_000_000_000L * threads / this.rate;
		ExecutorService writers = Executors.newFixedThreadPool(threads);
		long start = System.nanoTime();
		long end = start + Duration.ofSeconds(this.seconds).toNanos();
		for (int t = 0; t < threads; t++) {
			writers.execute(() -> {
				long next = System.nanoTime();
				while (running.get() && System.nanoTime() < end) {
					double r = ThreadLocalRandom.current().nextDouble() * total;
					int i = Arrays.binarySearch(cumulative, r);
					int n = (i >= 0) ? i : Math.min(cumulative.length - 1, -i - 1);
					UUID tenant = ids.get(n);
					try {
						TenantContext.run(tenant,
								() -> tx.executeWithoutResult((s) -> jdbc
									.sql("insert into simulation_model (tenant_id, id, name) values (?, ?, ?)")
									.params(tenant, UuidCreator.getTimeOrderedEpoch(),
											"m-" + UuidCreator.getTimeOrderedEpoch())
									.update()));
						if (counts[n].incrementAndGet() == this.threshold) {
							crossed.put(tenant, Instant.now());
						}
					}
					catch (RuntimeException ex) {
						// A write held by a move's fence past its wait: retried by the
						// next.
						failures.incrementAndGet();
					}
					next += perThreadNanos;
					long wait = next - System.nanoTime();
					if (wait > 0) {
						sleepNanos(wait);
					}
				}
			});
		}
		try (Progress progress = new Progress("rows written", (long) this.rate * this.seconds,
				() -> Arrays.stream(counts).mapToLong(AtomicLong::get).sum(), failures::get, 10_000)) {
			writers.shutdown();
			while (!writers.awaitTermination(1, java.util.concurrent.TimeUnit.SECONDS)) {
				// the progress line says how far
			}
		}
		finally {
			running.set(false);
		}
		Bench.say("  writes that failed (and were not retried): " + failures.get());
		return Arrays.stream(counts).mapToLong(AtomicLong::get).toArray();
	}

	private static boolean allEnded(Autopilot autopilot, java.util.Set<UUID> tenants) {
		for (UUID tenant : tenants) {
			List<Autopilot.Decision> d = autopilot.decisions(tenant, 1);
			if (d.isEmpty() || d.get(0).state().equals("QUEUED") || d.get(0).state().equals("MOVING")) {
				return false;
			}
		}
		return true;
	}

	private String report(Autopilot autopilot, List<UUID> ids, Map<UUID, Instant> crossed) {
		List<Double> latencies = new ArrayList<>();
		int moved = 0;
		int failed = 0;
		int flapping = 0;
		int notMoved = 0;
		Map<String, Integer> byState = new HashMap<>();
		for (UUID tenant : ids) {
			List<Autopilot.Decision> decisions = autopilot.decisions(tenant, 100);
			decisions.forEach((d) -> byState.merge(d.state(), 1, Integer::sum));
			long movedTimes = decisions.stream().filter((d) -> d.state().equals("MOVED")).count();
			if (movedTimes > 1) {
				flapping++;
			}
			failed += (int) decisions.stream().filter((d) -> d.state().equals("FAILED")).count();
			Instant crossing = crossed.get(tenant);
			if (crossing == null) {
				if (movedTimes > 0) {
					Bench.say("  moved without crossing the threshold (by the bench's count): " + tenant);
				}
				continue;
			}
			Autopilot.Decision first = decisions.stream()
				.filter((d) -> d.state().equals("MOVED"))
				.reduce((a, b) -> b)
				.orElse(null);
			if (first == null) {
				notMoved++;
				continue;
			}
			moved++;
			latencies.add(Duration.between(crossing, first.endedAt().toInstant()).toMillis() / 1000.0);
		}
		latencies.sort(Double::compare);
		Bench.say("  decisions by state: " + byState);
		double p50 = percentile(latencies, 50);
		double p99 = percentile(latencies, 99);
		double max = latencies.isEmpty() ? Double.NaN : latencies.get(latencies.size() - 1);
		Bench.say(String.format(Locale.ROOT,
				"  crossing to moved: p50 %.1f s, p99 %.1f s, max %.1f s over %d tenants; %d crossed and not moved",
				p50, p99, max, latencies.size(), notMoved));
		Bench.say(String.format(Locale.ROOT, "  goals: flapping = 0 %s, p99 <= 300 s %s, every move verified %s",
				(flapping == 0) ? "met" : "MISSED", (p99 <= 300 && notMoved == 0) ? "met" : "MISSED",
				(failed == 0) ? "met" : "MISSED"));
		return String.format(Locale.ROOT,
				"RESULT autopilot tenants=%d crossed=%d moved=%d failed=%d not_moved=%d flapping=%d"
						+ " crossing_to_moved_p50_s=%.1f crossing_to_moved_p99_s=%.1f crossing_to_moved_max_s=%.1f",
				ids.size(), crossed.size(), moved, failed, notMoved, flapping, p50, p99, max);
	}

	private static double percentile(List<Double> sorted, int p) {
		if (sorted.isEmpty()) {
			return Double.NaN;
		}
		int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
		return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
	}

	private static long median(long[] values) {
		long[] copy = values.clone();
		Arrays.sort(copy);
		return copy[copy.length / 2];
	}

	private static void sleepNanos(long nanos) {
		try {
			Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
