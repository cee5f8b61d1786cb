package io.tierflow.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpServer;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.ServiceProcess;
import io.tierflow.testsupport.TestKafka;
import io.tierflow.testsupport.TestPostgres;

/**
 * The gateway's cost and fairness, with two gateway processes from the executable jar on
 * the bench's PostgreSQL in front of one backend (a small HTTP server in this JVM that
 * answers at once, so that the gateway's own cost is what is measured):
 * <ul>
 * <li>{@code limiter_ratio}: requests/s of one tenant through the gateway with limits on
 * (its limit far above what it sends) over the same through a gateway with limits off,
 * measured in alternating rounds in the same run;</li>
 * <li>{@code noisy_neighbour_p99_ratio}: a quiet tenant's p99 latency, paced well under
 * its limit, while another tenant sends 10 times its own limit, over the quiet tenant's
 * p99 alone;</li>
 * <li>{@code limited_correctly}: the noisy tenant got what its bucket allows (burst plus
 * rate times duration, within what instances may admit unsettled), the quiet one was
 * never refused, and every refusal said when to retry.</li>
 * </ul>
 */
final class GatewayBenchmark {

	private static final String DATABASE = "gateway";

	private final int threads;

	private final int seconds;

	private final int rounds;

	private final int warmupSeconds;

	private final int quietRate;

	private final int noisyLimit;

	GatewayBenchmark(Map<String, String> options) {
		this.threads = Bench.intOption(options, "threads", 8);
		this.seconds = Bench.intOption(options, "seconds", 5);
		this.rounds = Bench.intOption(options, "rounds", 3);
		this.warmupSeconds = Bench.intOption(options, "warmup-seconds", 20);
		this.quietRate = Bench.intOption(options, "quiet-rate", 50);
		this.noisyLimit = Bench.intOption(options, "noisy-limit", 20);
	}

	String run() throws Exception {
		Bench.say(String.format(Locale.ROOT,
				"gateway: %d client threads, %d rounds of %d s per gateway; quiet tenant at %d/s, noisy tenant at 10x"
						+ " its limit of %d/s; %d cores",
				this.threads, this.rounds, this.seconds, this.quietRate, this.noisyLimit,
				Runtime.getRuntime().availableProcessors()));
		PostgresServer pg = TestPostgres.get();
		pg.dropDatabase(DATABASE);
		pg.createDatabase(DATABASE);
		Path work = Files.createTempDirectory("tierflow-bench-gateway");
		HttpServer backend = backend();
		UUID fast = UUID.randomUUID();
		UUID quiet = UUID.randomUUID();
		UUID noisy = UUID.randomUUID();
		String backendUrl = "http://127.0.0.1:" + backend.getAddress().getPort();
		// Per-tenant limits, as JSON: a tenant id does not survive the environment
		// variable form of a property name. The throughput tenant gets a limit it never
		// reaches, so each of its requests is limited and admitted.
		Map<String, String> limits = Map.of("SPRING_APPLICATION_JSON",
				"{\"tierflow.gateway.rate-limits.tenants\":{\"" + fast
						+ "\":{\"requests-per-second\":10000000,\"burst\":10000000},\"" + noisy
						+ "\":{\"requests-per-second\":" + this.noisyLimit + ",\"burst\":" + this.noisyLimit + "}}}");
		try (ServiceProcess on = gateway(pg, backendUrl, work, "on", limits);
				ServiceProcess off = gateway(pg, backendUrl, work, "off",
						Map.of("TIERFLOW_GATEWAY_RATELIMITS_ENABLED", "false"))) {
			on.awaitHealthy(Duration.ofMinutes(3));
			off.awaitHealthy(Duration.ofMinutes(3));
			Bench.say("  gateways up: limits on " + on.url() + ", limits off " + off.url() + " (logs in " + work + ")");
			HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(4)).build();
			String fastToken = token(fast, "ENTERPRISE");

			Bench.say("warm-up: " + this.warmupSeconds + " s on each (the JIT compiles the gateways' paths)");
			for (int s = 0; s < this.warmupSeconds; s += this.seconds) {
				throughput(http, off, fastToken);
				throughput(http, on, fastToken);
			}
			double onTotal = 0;
			double offTotal = 0;
			for (int round = 1; round <= this.rounds; round++) {
				double offRate = throughput(http, off, fastToken);
				double onRate = throughput(http, on, fastToken);
				offTotal += offRate;
				onTotal += onRate;
				Bench.say(String.format(Locale.ROOT, "  round %d: limits off %,.0f req/s, limits on %,.0f req/s (%.2f)",
						round, offRate, onRate, onRate / offRate));
			}
			double limiterRatio = onTotal / offTotal;

			String quietToken = token(quiet, "DEDICATED");
			String noisyToken = token(noisy, "SHARED");
			Bench.say("quiet tenant alone: " + this.quietRate + "/s for " + (2 * this.seconds) + " s");
			Paced alone = paced(http, on, quietToken, this.quietRate, 2 * this.seconds);
			Bench.say("quiet tenant beside a noisy one at " + (10 * this.noisyLimit) + "/s");
			ExecutorService noise = Executors.newSingleThreadExecutor();
			Future<Paced> noisyRun = noise
				.submit(() -> paced(http, on, noisyToken, 10 * this.noisyLimit, 2 * this.seconds + 1));
			Paced beside = paced(http, on, quietToken, this.quietRate, 2 * this.seconds);
			Paced noisyResult = noisyRun.get();
			noise.shutdown();
			double aloneP99 = alone.percentileMillis(99);
			double besideP99 = beside.percentileMillis(99);
			Bench.say(String.format(Locale.ROOT,
					"  quiet tenant: p50 %.2f ms, p99 %.2f ms alone; p50 %.2f ms, p99 %.2f ms beside the noisy one;"
							+ " refused %d then %d",
					alone.percentileMillis(50), aloneP99, beside.percentileMillis(50), besideP99, alone.refused(),
					beside.refused()));
			double allowed = this.noisyLimit + this.noisyLimit * noisyResult.seconds();
			Bench.say(String.format(Locale.ROOT,
					"  noisy tenant: %d sent in %.1f s, %d admitted (its bucket allows %.0f), %d refused, %d of them"
							+ " without Retry-After",
					noisyResult.sent(), noisyResult.seconds(), noisyResult.admitted(), allowed, noisyResult.refused(),
					noisyResult.refusedWithoutRetryAfter()));
			// One gateway instance here: it may admit a few requests past the bucket
			// before it settles (max-unsynced, 10, or a quarter of the burst).
			boolean limitedCorrectly = beside.refused() == 0 && alone.refused() == 0
					&& noisyResult.refusedWithoutRetryAfter() == 0 && noisyResult.admitted() >= allowed - 2
					&& noisyResult.admitted() <= allowed + Math.max(1, this.noisyLimit / 4) + 1;
			return String.format(Locale.ROOT,
					"RESULT gateway limiter_ratio=%.2f noisy_neighbour_p99_ratio=%.2f limited_correctly=%s",
					limiterRatio, besideP99 / aloneP99, limitedCorrectly);
		}
		finally {
			backend.stop(0);
		}
	}

	/** Requests/s of {@link #threads} threads, each sending as fast as answers come. */
	private double throughput(HttpClient http, ServiceProcess gateway, String token) throws Exception {
		AtomicLong done = new AtomicLong();
		AtomicLong failed = new AtomicLong();
		ExecutorService clients = Executors.newFixedThreadPool(this.threads);
		long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(this.seconds);
		long start = System.nanoTime();
		for (int i = 0; i < this.threads; i++) {
			clients.submit(() -> {
				HttpRequest request = request(gateway, token);
				while (System.nanoTime() < end) {
					try {
						int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
						if (status == 200) {
							done.incrementAndGet();
						}
						else {
							failed.incrementAndGet();
						}
					}
					catch (IOException | InterruptedException ex) {
						failed.incrementAndGet();
					}
				}
			});
		}
		clients.shutdown();
		clients.awaitTermination(this.seconds + 60, TimeUnit.SECONDS);
		double elapsed = (System.nanoTime() - start) / 1e9;
		if (failed.get() > 0) {
			throw new IllegalStateException(failed.get() + " requests failed through " + gateway.url());
		}
		return done.get() / elapsed;
	}

	/** Sends {@code rate} requests a second for {@code seconds}, each timed. */
	private Paced paced(HttpClient http, ServiceProcess gateway, String token, int rate, int seconds) throws Exception {
		int n = rate * seconds;
		long[] latencies = new long[n];
		AtomicLong admitted = new AtomicLong();
		AtomicLong refused = new AtomicLong();
		AtomicLong withoutRetryAfter = new AtomicLong();
		ExecutorService senders = Executors.newFixedThreadPool(Math.min(16, Math.max(2, rate / 20)));
		long interval = TimeUnit.SECONDS.toNanos(1) / rate;
		long start = System.nanoTime();
		List<Future<?>> all = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			long due = start + i * interval;
			long wait = due - System.nanoTime();
			if (wait > 0) {
				TimeUnit.NANOSECONDS.sleep(wait);
			}
			int index = i;
			all.add(senders.submit(() -> {
				long at = System.nanoTime();
				try {
					HttpResponse<Void> response = http.send(request(gateway, token),
							HttpResponse.BodyHandlers.discarding());
					latencies[index] = System.nanoTime() - at;
					if (response.statusCode() == 200) {
						admitted.incrementAndGet();
					}
					else if (response.statusCode() == 429) {
						refused.incrementAndGet();
						if (response.headers().firstValue("Retry-After").isEmpty()) {
							withoutRetryAfter.incrementAndGet();
						}
					}
					else {
						throw new IllegalStateException("Unexpected status " + response.statusCode());
					}
				}
				catch (IOException | InterruptedException ex) {
					throw new IllegalStateException(ex);
				}
				return null;
			}));
		}
		for (Future<?> f : all) {
			f.get();
		}
		senders.shutdown();
		double elapsed = (System.nanoTime() - start) / 1e9;
		return new Paced(latencies, n, admitted.get(), refused.get(), withoutRetryAfter.get(), elapsed);
	}

	private static HttpRequest request(ServiceProcess gateway, String token) {
		return HttpRequest.newBuilder(URI.create(gateway.url() + "/api/v1/models"))
			.timeout(Duration.ofSeconds(30))
			.header("Authorization", "Bearer " + token)
			.build();
	}

	private static String token(UUID tenant, String tier) {
		Instant now = Instant.now();
		Map<String, Object> claims = new HashMap<>();
		claims.put("iss", ServiceTestInfrastructure.TOKENS.issuer());
		claims.put("aud", List.of(ServiceTestInfrastructure.TOKENS.audience()));
		claims.put("sub", "bench-" + tenant);
		claims.put("iat", now);
		claims.put("exp", now.plusSeconds(3600));
		claims.put("tenant_id", tenant.toString());
		claims.put("roles", List.of("USER"));
		claims.put("tier", tier);
		return ServiceTestInfrastructure.TOKENS.sign(claims);
	}

	private ServiceProcess gateway(PostgresServer pg, String backend, Path work, String name, Map<String, String> extra)
			throws IOException {
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		Map<String, String> env = new LinkedHashMap<>(
				ServiceProcess.environment(port, pg, TestKafka.get(), ServiceTestInfrastructure.jwksUri()));
		env.put("TIERFLOW_SECURITY_ISSUER", ServiceTestInfrastructure.TOKENS.issuer());
		env.put("TIERFLOW_SIMULATION_URL", backend);
		env.putAll(extra);
		return ServiceProcess.launch("gateway-" + name, Path.of("bench/target/services/gateway.jar"), port,
				List.of("-Xmx256m", "-XX:+UseSerialGC"), env, work.resolve("gateway-" + name + ".log"));
	}

	/** Answers every request at once, like a service with nothing to do. */
	private static HttpServer backend() throws IOException {
		// Without it the JDK server's separate header and body writes meet the client's
		// delayed ACK: 40 ms a request, and the benchmark would measure that.
		System.setProperty("sun.net.httpserver.nodelay", "true");
		HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
		byte[] body = "{\"items\":[]}".getBytes(StandardCharsets.UTF_8);
		server.createContext("/", (exchange) -> {
			exchange.getResponseHeaders().add("Content-Type", "application/json");
			exchange.sendResponseHeaders(200, body.length);
			exchange.getResponseBody().write(body);
			exchange.close();
		});
		server.setExecutor(Executors.newFixedThreadPool(4));
		server.start();
		return server;
	}

	private record Paced(long[] latencies, long sent, long admitted, long refused, long refusedWithoutRetryAfter,
			double seconds) {

		double percentileMillis(double p) {
			long[] sorted = this.latencies.clone();
			Arrays.sort(sorted);
			int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
			return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
		}

	}

}
