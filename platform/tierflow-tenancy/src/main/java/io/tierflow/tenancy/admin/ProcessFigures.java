package io.tierflow.tenancy.admin;

import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;

/**
 * One instance's key figures, read from its own Micrometer registry (the meters
 * Prometheus scrapes), for the console's KPI charts through the admin API: requests
 * served and refused, the time they took, CPU, heap, threads and database connections.
 * Counters are totals since the instance started; a reader makes rates from two readings.
 * No figure names a tenant: the meters behind them carry none.
 *
 * @param requests HTTP requests answered ({@code http.server.requests})
 * @param clientErrors of them, answered 4xx
 * @param serverErrors of them, answered 5xx
 * @param requestSeconds the time they took, summed
 * @param cpu the process' CPU use, 0 to 1 of the machine ({@code process.cpu.usage})
 * @param heapUsedBytes heap in use
 * @param heapMaxBytes heap it may grow to
 * @param threads live threads
 * @param connectionsActive database connections in use, every pool
 * @param connectionsIdle database connections open and idle
 * @param connectionsPending requests waiting for a connection
 */
public record ProcessFigures(long requests, long clientErrors, long serverErrors, double requestSeconds,
		@Nullable Double cpu, @Nullable Double heapUsedBytes, @Nullable Double heapMaxBytes, @Nullable Double threads,
		@Nullable Double connectionsActive, @Nullable Double connectionsIdle, @Nullable Double connectionsPending) {

	private static final String REQUESTS = "http.server.requests";

	public static ProcessFigures of(MeterRegistry meters) {
		long requests = 0;
		long client = 0;
		long server = 0;
		double seconds = 0;
		for (Timer timer : meters.find(REQUESTS).timers()) {
			long count = timer.count();
			requests += count;
			seconds += timer.totalTime(TimeUnit.NANOSECONDS) / 1e9;
			String status = timer.getId().getTag("status");
			if (status != null && status.startsWith("4")) {
				client += count;
			}
			else if (status != null && status.startsWith("5")) {
				server += count;
			}
		}
		return new ProcessFigures(requests, client, server, seconds, gauges(meters, "process.cpu.usage", (m) -> true),
				gauges(meters, "jvm.memory.used", heap()), gauges(meters, "jvm.memory.max", heap()),
				gauges(meters, "jvm.threads.live", (m) -> true),
				gauges(meters, "hikaricp.connections.active", (m) -> true),
				gauges(meters, "hikaricp.connections.idle", (m) -> true),
				gauges(meters, "hikaricp.connections.pending", (m) -> true));
	}

	private static Predicate<Meter> heap() {
		return (m) -> "heap".equals(m.getId().getTag("area"));
	}

	/** The gauges of that name summed, or null when there are none. */
	private static @Nullable Double gauges(MeterRegistry meters, String name, Predicate<Meter> which) {
		double total = 0;
		boolean found = false;
		for (Gauge gauge : meters.find(name).gauges()) {
			double value = gauge.value();
			if (which.test(gauge) && !Double.isNaN(value) && value >= 0) {
				total += value;
				found = true;
			}
		}
		return found ? total : null;
	}

}
