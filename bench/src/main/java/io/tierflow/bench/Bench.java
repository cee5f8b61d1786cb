package io.tierflow.bench;

import java.util.LinkedHashMap;
import java.util.Map;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/**
 * Entry point of {@code bench/run}: runs one benchmark and prints its {@code RESULT} line
 * last. Options are {@code --name=value} arguments after the benchmark's name.
 */
public final class Bench {

	private Bench() {
	}

	public static void main(String[] args) {
		if (args.length == 0) {
			usage();
			return;
		}
		Map<String, String> options = new LinkedHashMap<>();
		for (int i = 1; i < args.length; i++) {
			String arg = args[i];
			if (!arg.startsWith("--") || !arg.contains("=")) {
				System.err.println("Options are --name=value, not: " + arg);
				System.exit(2);
			}
			options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
		}
		String result;
		try {
			result = switch (args[0]) {
				case "provisioning" -> new ProvisioningBenchmark(options).run();
				case "routing" -> new RoutingBenchmark(options).run();
				case "migration" -> new MigrationBenchmark(options).run();
				case "montecarlo" -> new MonteCarloBenchmark(options).run();
				case "usage" -> new UsageBenchmark(options).run();
				case "lifecycle" -> new LifecycleBenchmark(options).run();
				case "gateway" -> new GatewayBenchmark(options).run();
				case "chaos" -> new ChaosBenchmark(options).run();
				case "fleet-migrate" -> new FleetMigrateBenchmark(options).run();
				case "autopilot" -> new AutopilotBenchmark(options).run();
				case "scale" -> new ScaleBenchmark(options).run();
				default -> null;
			};
		}
		catch (Exception ex) {
			System.out.flush();
			System.err.println("Benchmark " + args[0] + " failed:");
			ex.printStackTrace();
			quietLogs();
			System.exit(1);
			return;
		}
		if (result == null) {
			usage();
			return;
		}
		// The in-JVM broker and the throwaway PostgreSQL are stopped by shutdown hooks;
		// whatever they log on the way out must not come after the RESULT line.
		quietLogs();
		System.out.println(result);
		System.out.flush();
		System.exit(0);
	}

	/** Prints a progress line. */
	static void say(String line) {
		System.out.println(line);
		System.out.flush();
	}

	/** Waits for wall-clock time: a fault's duration, or between polls of a process. */
	static void pauseSeconds(int seconds) {
		try {
			java.util.concurrent.TimeUnit.SECONDS.sleep(seconds);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	static int intOption(Map<String, String> options, String name, int fallback) {
		String value = options.get(name);
		return (value != null) ? Integer.parseInt(value) : fallback;
	}

	/**
	 * Options that are service properties ({@code --tierflow.…}, {@code --spring.…},
	 * {@code --logging.…}), passed on to the service under benchmark.
	 */
	static Map<String, String> serviceSettings(Map<String, String> options) {
		Map<String, String> settings = new LinkedHashMap<>();
		options.forEach((name, value) -> {
			if (name.startsWith("tierflow.") || name.startsWith("spring.") || name.startsWith("logging.")) {
				settings.put(name, value);
			}
		});
		return settings;
	}

	private static void quietLogs() {
		if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
			logback.stop();
		}
	}

	private static void usage() {
		System.err.println("usage: bench/run provisioning [--tenants=1000] [--parallelism=8]");
		System.err
			.println("       bench/run routing [--threads=8] [--rounds=9] [--phase-seconds=3] [--diagnose=true] ...");
		System.err.println("       bench/run montecarlo [--iterations=10000000] [--threads=<cores>] [--seed=20261123]");
		System.err.println("       bench/run usage [--tenants=100] [--events=200000] [--rate=10000] [--seconds=20]");
		System.err.println("       bench/run lifecycle [--rows=1000000] [--blob-mb=100]");
		System.err.println("       bench/run chaos [--pause-seconds=20] [--down-seconds=10] [--usage-rate=200]");
		System.err.println("       bench/run fleet-migrate [--schemas=10000] [--databases=100] [--parallelism=4]");
		System.err
			.println("       bench/run autopilot [--tenants=1000] [--threshold=3000] [--rate=1500] [--seconds=180]");
		System.err
			.println("       bench/run scale [--shared=100000] [--schemas=10000] [--databases=1000] [--small=100]");
		System.err.println(
				"       bench/run gateway [--threads=8] [--seconds=5] [--rounds=3] [--quiet-rate=50] [--noisy-limit=20]");
		System.exit(2);
	}

}
