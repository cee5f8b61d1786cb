package io.tierflow.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.tierflow.simulation.engine.Distribution;
import io.tierflow.simulation.engine.MonteCarloEngine;
import io.tierflow.simulation.engine.MonteCarloModel;
import io.tierflow.simulation.engine.OutputStatistics;
import io.tierflow.simulation.engine.RunSettings;
import io.tierflow.simulation.engine.SimulationResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Throughput of simulation-service's Monte Carlo engine against a vectorised numpy
 * implementation of the same model ({@code bench/montecarlo/reference.py}) run on the
 * same machine in the same run, and a check that both compute the same thing: every
 * output's mean must agree within four standard errors of the difference.
 */
final class MonteCarloBenchmark {

	private static final Path REFERENCE = Path.of("bench", "montecarlo", "reference.py");

	private static final String INSTALL_NUMPY = "install it with 'apt-get install python3-numpy' or 'pip install numpy'";

	private final long iterations;

	private final int threads;

	private final long seed;

	MonteCarloBenchmark(Map<String, String> options) {
		this.iterations = Long.parseLong(options.getOrDefault("iterations", "10000000"));
		this.threads = Bench.intOption(options, "threads", Runtime.getRuntime().availableProcessors());
		this.seed = Long.parseLong(options.getOrDefault("seed", "20261123"));
	}

	/**
	 * A small business case: units sold fall as the price rises, and profit is taxed only
	 * when there is one. Keep in step with {@code reference.py}.
	 */
	static MonteCarloModel model() {
		return MonteCarloModel.builder()
			.input("units", Distribution.normal(100_000, 15_000))
			.input("price", Distribution.triangular(8, 10, 14))
			.input("unitCost", Distribution.pert(4, 5, 8))
			.input("fixedCost", Distribution.lognormal(200_000, 50_000))
			.input("marketing", Distribution.uniform(50_000, 150_000))
			.input("taxRate", Distribution.discrete(List.of(0.19, 0.25, 0.30), List.of(0.5, 0.3, 0.2)))
			.correlate("units", "price", -0.6)
			.output("revenue", "max(units, 0) * price")
			.output("cost", "units * unitCost + fixedCost + marketing")
			.output("profit", "if(revenue > cost, (revenue - cost) * (1 - taxRate), revenue - cost)")
			.build();
	}

	String run() throws Exception {
		Bench.say(
				String.format(Locale.ROOT,
						"montecarlo: %,d iterations of a 6-input, 3-output model with one rank correlation; %d threads,"
								+ " %d cores",
						this.iterations, this.threads, Runtime.getRuntime().availableProcessors()));
		if (!Files.isRegularFile(REFERENCE)) {
			throw new IllegalStateException(
					REFERENCE + " not found: run the benchmark from the repository root" + " (bench/run montecarlo)");
		}
		MonteCarloModel model = model();
		SimulationResult tierflow;
		try (MonteCarloEngine engine = new MonteCarloEngine(this.threads)) {
			// Warm-up: the JIT compiles the samplers, the block kernels and the sorts.
			for (int i = 0; i < 2; i++) {
				SimulationResult warmUp = engine.run(model, new RunSettings(Math.min(this.iterations, 2_000_000), i));
				Bench.say(String.format(Locale.ROOT, "  warm-up %d: %,.0f iterations/s", i + 1,
						warmUp.iterationsDone() / seconds(warmUp)));
			}
			long[] lastSaid = { System.nanoTime() };
			tierflow = engine.start(model, new RunSettings(this.iterations, this.seed), (done, total) -> {
				long now = System.nanoTime();
				if (now - lastSaid[0] >= TimeUnit.SECONDS.toNanos(1)) {
					lastSaid[0] = now;
					Bench.say(String.format(Locale.ROOT, "  tierflow %,d/%,d", done, total));
				}
			}).result().join();
		}
		double itsPerSecond = tierflow.iterationsDone() / seconds(tierflow);
		Bench.say(String.format(Locale.ROOT, "  tierflow: %.2f s wall, %.2f s CPU, %,.0f iterations/s",
				seconds(tierflow), tierflow.cpuTime().toNanos() / 1e9, itsPerSecond));

		JsonNode numpy = runReference();
		double numpyItsPerSecond = numpy.get("its_per_s").asDouble();
		Bench.say(String.format(Locale.ROOT, "  numpy %s (chunks of %,d): %.2f s, %,.0f iterations/s",
				numpy.get("numpy").asString(), numpy.get("chunk").asLong(), numpy.get("seconds").asDouble(),
				numpyItsPerSecond));

		boolean agree = true;
		List<String> lines = new ArrayList<>();
		for (OutputStatistics output : tierflow.outputs()) {
			JsonNode reference = numpy.get("outputs").get(output.name());
			double meanN = reference.get("mean").asDouble();
			double sdN = reference.get("sd").asDouble();
			double n = this.iterations;
			double bound = 4 * Math.sqrt(output.standardDeviation() * output.standardDeviation() / n + sdN * sdN / n);
			double difference = Math.abs(output.mean() - meanN);
			boolean ok = difference <= bound;
			agree &= ok;
			lines.add(String.format(Locale.ROOT,
					"  %-8s tierflow mean %,.2f sd %,.2f p5 %,.0f p95 %,.0f | numpy mean %,.2f sd %,.2f |"
							+ " |diff| %,.2f %s 4σ %,.2f",
					output.name(), output.mean(), output.standardDeviation(), output.percentile(5),
					output.percentile(95), meanN, sdN, difference, ok ? "≤" : ">", bound));
		}
		lines.forEach(Bench::say);
		return String.format(Locale.ROOT,
				"RESULT montecarlo iterations=%d its_per_s=%.0f numpy_its_per_s=%.0f ratio=%.2f means_agree=%s",
				tierflow.iterationsDone(), itsPerSecond, numpyItsPerSecond, itsPerSecond / numpyItsPerSecond, agree);
	}

	private JsonNode runReference() throws IOException, InterruptedException {
		Process process;
		try {
			process = new ProcessBuilder("python3", REFERENCE.toString(), "--iterations=" + this.iterations,
					"--seed=" + this.seed)
				.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException("python3 is needed for the numpy reference and could not be started ("
					+ ex.getMessage() + "): " + INSTALL_NUMPY, ex);
		}
		process.getOutputStream().close();
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
		String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
		int exit = process.waitFor();
		if (exit == 3) {
			throw new IllegalStateException("numpy is missing for python3: " + INSTALL_NUMPY);
		}
		if (exit != 0 || out.isEmpty()) {
			throw new IllegalStateException("The numpy reference failed (exit " + exit + "): " + err);
		}
		String[] lines = out.split("\n");
		return JsonMapper.builder().build().readTree(lines[lines.length - 1]);
	}

	private static double seconds(SimulationResult result) {
		return result.duration().toNanos() / 1e9;
	}

}
