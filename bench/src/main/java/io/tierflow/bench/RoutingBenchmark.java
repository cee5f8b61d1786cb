package io.tierflow.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import io.tierflow.bench.DirectModelConfiguration.DirectStores;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.TestTokenDecoderConfiguration;
import io.tierflow.tenancy.TenancyProperties;
import io.tierflow.tenancy.TenancyProperties.Cluster;
import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.JdbcUrls;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.routing.PlacementPools;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TestKafka;
import io.tierflow.testsupport.TestPostgres;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * Requests per second of simulation-service's tenant-scoped {@code GET
 * /api/v1/models/{id}} against the same query served without the tenancy layer
 * ({@link DirectModelConfiguration}), over real HTTP with valid tokens, for each
 * isolation mode, the two paths' requests interleaved on every client thread
 * ({@link #interleaved}).
 */
final class RoutingBenchmark {

	private static final String PREFIX = "bench_route";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Map<IsolationMode, Tier> TIERS = new EnumMap<>(Map.of(IsolationMode.ROW, Tier.SHARED,
			IsolationMode.SCHEMA, Tier.DEDICATED, IsolationMode.DATABASE, Tier.ENTERPRISE));

	private static final double GOAL = 0.95;

	/** The JIT's share of a warm-up cycle below which the service counts as warm. */
	private static final double QUIET_JIT_SHARE = 0.02;

	/** How long the warm-up may go on past the time asked for, waiting for the JIT. */
	private static final double MAX_EXTRA_WARMUP_SECONDS = 300;

	private final int threads;

	private final int rounds;

	private final double phaseSeconds;

	private final double warmupSeconds;

	private final int tenantsPerMode;

	private final int modelsPerTenant;

	private final boolean diagnose;

	private final Map<String, String> settings;

	RoutingBenchmark(Map<String, String> options) {
		this.threads = Bench.intOption(options, "threads", 8);
		this.rounds = Bench.intOption(options, "rounds", 9);
		this.phaseSeconds = Double.parseDouble(options.getOrDefault("phase-seconds", "3"));
		this.warmupSeconds = Double.parseDouble(options.getOrDefault("warmup-seconds", "240"));
		this.tenantsPerMode = Bench.intOption(options, "tenants-per-mode", 4);
		this.modelsPerTenant = Bench.intOption(options, "models-per-tenant", 50);
		this.diagnose = "true".equals(options.get("diagnose"));
		this.settings = Bench.serviceSettings(options);
	}

	String run() throws Exception {
		Bench.say(String.format(Locale.ROOT,
				"routing: GET /api/v1/models/{id} vs the same query without the tenancy layer; %d client threads,"
						+ " %d rounds x %.0f s per mode (both paths interleaved), at least %.0f s warm-up, %d cores",
				this.threads, this.rounds, 2 * this.phaseSeconds, this.warmupSeconds,
				Runtime.getRuntime().availableProcessors()));
		PostgresServer pg = TestPostgres.get();
		Bench.say("  PostgreSQL " + pg + ", Kafka " + TestKafka.get().bootstrapServers());
		if (!this.settings.isEmpty()) {
			Bench.say("  service settings: " + this.settings);
		}
		try (ConfigurableApplicationContext service = ServiceUnderBench.start(PREFIX, true, this.settings,
				TestTokenDecoderConfiguration.class, DirectModelConfiguration.class)) {
			int port = Integer.parseInt(service.getEnvironment().getProperty("local.server.port"));
			String base = "http://localhost:" + port;
			Map<IsolationMode, Workload> workloads = prepare(service, base);

			HttpLoad load = new HttpLoad(this.threads);
			warmUp(load, workloads);
			Map<IsolationMode, Double> ratios = interleaved(load, workloads);
			if (this.diagnose && ratios.values().stream().anyMatch((r) -> r < GOAL)) {
				diagnose(load, workloads, ratios);
			}
			double min = ratios.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
			return String.format(Locale.ROOT,
					"RESULT routing ratio_row=%.3f ratio_schema=%.3f ratio_database=%.3f" + " ratio_min=%.3f",
					ratios.get(IsolationMode.ROW), ratios.get(IsolationMode.SCHEMA), ratios.get(IsolationMode.DATABASE),
					min);
		}
	}

	private static final String BASELINE = "baseline";

	private static final String TENANCY = "tenancy";

	private static final String WITH_SETTINGS = "baseline+set_config";

	private static final String WITH_RLS = "baseline+set_config+RLS";

	/**
	 * The requests of one mode by path: through the tenancy layer, the baseline, and the
	 * diagnostic variants of the baseline.
	 */
	private record Workload(Map<String, List<HttpLoad.Target>> paths) {

		List<HttpLoad.Target> get(String path) {
			return this.paths.get(path);
		}

	}

	/**
	 * Places tenants of every tier, creates their models through the API, registers each
	 * tenant's store with the baseline, and checks both paths answer alike.
	 */
	private Map<IsolationMode, Workload> prepare(ConfigurableApplicationContext service, String base) throws Exception {
		TenantProvisioner provisioner = service.getBean(TenantProvisioner.class);
		PlacementPools pools = service.getBean(PlacementPools.class);
		TenancyProperties tenancy = service.getBean(TenancyProperties.class);
		DirectStores direct = service.getBean(DirectStores.class);
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		Map<IsolationMode, Workload> workloads = new EnumMap<>(IsolationMode.class);
		for (IsolationMode mode : IsolationMode.values()) {
			Map<String, List<HttpLoad.Target>> paths = new LinkedHashMap<>();
			for (String path : List.of(BASELINE, TENANCY, WITH_SETTINGS, WITH_RLS)) {
				paths.put(path, new ArrayList<>());
			}
			for (int t = 0; t < this.tenantsPerMode; t++) {
				UUID tenant = UUID.randomUUID();
				TenantPlacement placement = provisioner.provision(tenant, TIERS.get(mode), "eu");
				if (placement.state() != PlacementState.READY || placement.isolation() != mode) {
					throw new IllegalStateException("Tenant not placed as " + mode + ": " + placement);
				}
				Cluster cluster = pools.cluster(placement.cluster());
				boolean ownDatabase = !placement.database().equals(JdbcUrls.databaseOf(cluster.jdbcUrl()));
				// Pools sized like the tenancy layer's for the same database, so the
				// comparison is about the per-request work, not pool sizes.
				int poolSize = ownDatabase ? tenancy.databasePoolSize(cluster) : tenancy.basePoolSize(cluster);
				direct.register(tenant, JdbcUrls.withDatabase(cluster.jdbcUrl(), placement.database()),
						placement.schema(), poolSize, cluster.username(), cluster.password(),
						tenancy.appRole().username(), tenancy.appRole().password());
				String token = ServiceTestInfrastructure.token(tenant, "USER");
				for (int m = 0; m < this.modelsPerTenant; m++) {
					String body = "{\"name\":\"model-" + m + "\",\"description\":\"Monte Carlo model " + m
							+ "\",\"definition\":{\"inputs\":[{\"name\":\"units\",\"distribution\":{\"type\":\"normal\","
							+ "\"mean\":" + (1000 * (m + 1)) + ",\"sd\":100}},{\"name\":\"price\",\"distribution\":"
							+ "{\"type\":\"fixed\",\"value\":10}}],\"outputs\":[{\"name\":\"revenue\","
							+ "\"expression\":\"units * price\"}]}}";
					HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/models"))
						.header("Authorization", "Bearer " + token)
						.header("Content-Type", "application/json")
						.POST(HttpRequest.BodyPublishers.ofString(body))
						.build(), HttpResponse.BodyHandlers.ofString());
					if (created.statusCode() != 201) {
						throw new IllegalStateException("Creating a model failed: " + created.body());
					}
					String id = JSON.readTree(created.body()).get("id").asString();
					String baseline = base + "/bench/direct/" + tenant + "/" + id;
					paths.get(TENANCY)
						.add(new HttpLoad.Target(URI.create(base + "/api/v1/models/" + id), token, TENANCY));
					paths.get(BASELINE).add(new HttpLoad.Target(URI.create(baseline), token, BASELINE));
					paths.get(WITH_SETTINGS).add(new HttpLoad.Target(URI.create(baseline + "?settings=true"), token));
					paths.get(WITH_RLS).add(new HttpLoad.Target(URI.create(baseline + "?rls=true"), token));
				}
				if (t == 0) {
					Bench.say("  " + mode + ": tenants on " + placement.cluster() + "/" + placement.database() + "/"
							+ placement.schema() + (ownDatabase ? " (one database each)" : ""));
				}
			}
			for (String path : List.of(BASELINE, WITH_SETTINGS, WITH_RLS)) {
				sameAnswers(http, paths.get(TENANCY).get(0), paths.get(path).get(0));
			}
			workloads.put(mode, new Workload(paths));
		}
		Bench.say(String.format(Locale.ROOT,
				"  prepared %d tenants per mode with %d models each; both paths answer" + " alike", this.tenantsPerMode,
				this.modelsPerTenant));
		return workloads;
	}

	private static void sameAnswers(HttpClient http, HttpLoad.Target tenancy, HttpLoad.Target direct) throws Exception {
		String a = get(http, tenancy);
		String b = get(http, direct);
		if (!a.equals(b)) {
			throw new IllegalStateException("The baseline answers differently:\n" + a + "\n" + b);
		}
	}

	private static String get(HttpClient http, HttpLoad.Target target) throws Exception {
		HttpResponse<String> r = http.send(
				HttpRequest.newBuilder(target.uri()).header("Authorization", "Bearer " + target.token()).build(),
				HttpResponse.BodyHandlers.ofString());
		if (r.statusCode() != 200) {
			throw new IllegalStateException(target.uri() + " answered " + r.statusCode() + ": " + r.body());
		}
		return r.body();
	}

	/**
	 * Cycles through both paths of every mode, 2 s each, for the warm-up time, printing
	 * each cycle's rate. On two cores shared by the client, the service and PostgreSQL,
	 * the JIT needs about four minutes of this load before the rate stops climbing.
	 */
	private void warmUp(HttpLoad load, Map<IsolationMode, Workload> workloads) throws InterruptedException {
		List<List<HttpLoad.Target>> all = new ArrayList<>();
		workloads.values().forEach((w) -> {
			all.add(w.get(BASELINE));
			all.add(w.get(TENANCY));
		});
		CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
		double each = 2;
		long requests = 0;
		double seconds = 0;
		int cycles = 0;
		double jitShare = 1;
		// At least the warm-up asked for, then on while the JIT still compiles much: a
		// path measured while C2 still works on it is measured half-interpreted.
		while (seconds < this.warmupSeconds
				|| jitShare > QUIET_JIT_SHARE && seconds < this.warmupSeconds + MAX_EXTRA_WARMUP_SECONDS) {
			long cycleRequests = 0;
			double cycleSeconds = 0;
			long compiling = jit.getTotalCompilationTime();
			for (List<HttpLoad.Target> targets : all) {
				HttpLoad.Outcome o = check(load.run(targets, each));
				cycleRequests += o.requests();
				cycleSeconds += o.seconds();
			}
			jitShare = (jit.getTotalCompilationTime() - compiling) / (1000 * cycleSeconds);
			requests += cycleRequests;
			seconds += cycleSeconds;
			cycles++;
			Bench.say(String.format(Locale.ROOT, "  warm-up cycle %2d: %6.0f req/s, JIT compiling %4.1f%% of the time",
					cycles, cycleRequests / cycleSeconds, 100 * jitShare));
		}
		Bench.say(String.format(Locale.ROOT, "  warm-up: %d requests in %.0f s over both paths of every mode", requests,
				seconds));
	}

	/**
	 * The result: round after round, a phase of each mode in which every client thread
	 * sends the tenancy path's and the baseline's requests interleaved (each thread its
	 * own shuffled order of both), so both meet the same machine at the same moments: a
	 * garbage collection, the JIT, a neighbour on the host. The round's ratio is the
	 * baseline's mean latency over the tenancy path's (with the threads always busy, the
	 * ratio of what each path alone would serve per second), and a mode's ratio is the
	 * median over the rounds. Phases of one path after the other, compared by their
	 * medians, moved by ±15 % from round to round on this 2-core VM, more than the gap
	 * measured.
	 */
	private Map<IsolationMode, Double> interleaved(HttpLoad load, Map<IsolationMode, Workload> workloads)
			throws InterruptedException {
		Map<IsolationMode, double[]> rounds = new EnumMap<>(IsolationMode.class);
		for (IsolationMode mode : IsolationMode.values()) {
			rounds.put(mode, new double[this.rounds]);
		}
		for (int round = 0; round < this.rounds; round++) {
			for (IsolationMode mode : IsolationMode.values()) {
				List<HttpLoad.Target> both = new ArrayList<>(workloads.get(mode).get(BASELINE));
				both.addAll(workloads.get(mode).get(TENANCY));
				CpuShares cpu = CpuShares.start(PREFIX + "_control");
				HttpLoad.Outcome o = check(load.run(both, 2 * this.phaseSeconds));
				CpuShares.Used used = cpu.used();
				double baseline = o.meanMillis(BASELINE);
				double tenancy = o.meanMillis(TENANCY);
				rounds.get(mode)[round] = baseline / tenancy;
				Bench.say(String.format(Locale.ROOT,
						"  %-8s round %2d  %6.0f req/s  mean latency: baseline %5.2f ms, tenancy %5.2f ms, ratio %.3f"
								+ "   CPU per request: JVM %4.0f µs, PostgreSQL %4.0f µs; others %2.0f%%, idle %2.0f%%",
						mode, round + 1, o.perSecond(), baseline, tenancy, baseline / tenancy,
						1e6 * used.jvm() / o.requests(), 1e6 * used.postgres() / o.requests(), used.othersPercent(),
						used.idlePercent()));
			}
		}
		Map<IsolationMode, Double> ratios = new EnumMap<>(IsolationMode.class);
		Bench.say("  median over " + this.rounds + " rounds of baseline/tenancy mean latency (goal: ratio >= " + GOAL
				+ "):");
		for (IsolationMode mode : IsolationMode.values()) {
			double[] r = rounds.get(mode);
			double ratio = median(r);
			ratios.put(mode, ratio);
			double[] sorted = r.clone();
			Arrays.sort(sorted);
			Bench.say(String.format(Locale.ROOT, "    %-8s ratio %.3f (rounds %.3f-%.3f)   %s", mode, ratio, sorted[0],
					sorted[sorted.length - 1], (ratio >= GOAL) ? "met" : "MISSED"));
		}
		return ratios;
	}

	/**
	 * Runs, round after round, a phase of every path of every mode; the modes take turns
	 * within a round and the paths' order rotates from round to round (for two paths:
	 * ABBA...), so the JIT still warming up and whatever else the machine does fall on
	 * every path alike. Returns each mode's median requests per second by path.
	 */
	private Map<IsolationMode, Map<String, Double>> compare(HttpLoad load, Map<IsolationMode, Workload> workloads,
			List<IsolationMode> modes, List<String> paths) throws InterruptedException {
		Map<IsolationMode, Map<String, double[]>> rates = new EnumMap<>(IsolationMode.class);
		for (IsolationMode mode : modes) {
			Map<String, double[]> byPath = new LinkedHashMap<>();
			paths.forEach((p) -> byPath.put(p, new double[this.rounds]));
			rates.put(mode, byPath);
		}
		for (int round = 0; round < this.rounds; round++) {
			for (IsolationMode mode : modes) {
				for (int phase = 0; phase < paths.size(); phase++) {
					String path = paths.get((round + phase) % paths.size());
					CpuShares cpu = CpuShares.start(PREFIX + "_control");
					HttpLoad.Outcome o = check(load.run(workloads.get(mode).get(path), this.phaseSeconds));
					rates.get(mode).get(path)[round] = o.perSecond();
					CpuShares.Used used = cpu.used();
					Bench.say(String.format(Locale.ROOT,
							"  %-8s round %2d %-24s %6.0f req/s  p50 %5.2f ms  p99 %5.2f ms   CPU per request: JVM %4.0f µs,"
									+ " PostgreSQL %4.0f µs; others %2.0f%%, idle %2.0f%% of the machine",
							mode, round + 1, path, o.perSecond(), o.percentileMillis(50), o.percentileMillis(99),
							1e6 * used.jvm() / o.requests(), 1e6 * used.postgres() / o.requests(), used.othersPercent(),
							used.idlePercent()));
				}
			}
		}
		Map<IsolationMode, Map<String, Double>> medians = new EnumMap<>(IsolationMode.class);
		rates.forEach((mode, byPath) -> {
			Map<String, Double> m = new LinkedHashMap<>();
			byPath.forEach((path, r) -> m.put(path, median(r)));
			medians.put(mode, m);
		});
		return medians;
	}

	/**
	 * Below the goal: steps from the baseline towards the tenancy path, each measured, so
	 * the gap splits into the per-transaction set_config round trip, row-level security
	 * (application role, tenant filter left to the policy) and the rest of the tenancy
	 * layer (placement lookup, routing DataSource and transaction manager, the service's
	 * repository and controller).
	 */
	private void diagnose(HttpLoad load, Map<IsolationMode, Workload> workloads, Map<IsolationMode, Double> ratios)
			throws InterruptedException {
		List<String> steps = List.of(BASELINE, WITH_SETTINGS, WITH_RLS, TENANCY);
		Bench.say("  diagnosis of the modes below the goal: " + steps + ", rotating order:");
		List<String> lines = new ArrayList<>();
		for (IsolationMode mode : IsolationMode.values()) {
			if (ratios.get(mode) >= GOAL) {
				continue;
			}
			Map<String, Double> medians = compare(load, workloads, List.of(mode), steps).get(mode);
			double baseline = medians.get(BASELINE);
			StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "    %-8s", mode));
			String previous = null;
			for (String step : steps) {
				line.append(String.format(Locale.ROOT, "  %s %.0f/s (%.3f", step, medians.get(step),
						medians.get(step) / baseline));
				if (previous != null) {
					line.append(String.format(Locale.ROOT, ", step %+.1f%%",
							100 * (medians.get(step) / medians.get(previous) - 1)));
				}
				line.append(')');
				previous = step;
			}
			lines.add(line.toString());
		}
		Bench.say("  diagnosis medians (relative to the baseline; step = change from the previous one):");
		lines.forEach(Bench::say);
	}

	private static HttpLoad.Outcome check(HttpLoad.Outcome outcome) {
		if (outcome.firstError() != null) {
			throw new IllegalStateException("A request failed: " + outcome.firstError());
		}
		return outcome;
	}

	private static double median(double[] values) {
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		int n = sorted.length;
		return (n % 2 == 1) ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	}

}
