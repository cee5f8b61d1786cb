package io.tierflow.simulation.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.ApiClient.Response;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.TestTokenDecoderConfiguration;
import io.tierflow.simulation.SimulationServiceApplication;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.tierflow.servicetest.ServiceTestInfrastructure.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances of the service on the same databases and broker, with the default
 * heartbeat: this test's context (A) computes a run, and a client that reaches only the
 * other instance (B) follows its progress live and cancels it.
 */
// A run long enough to be cancelled on any machine: at 20 million iterations a second
// (two
// fast cores), 100 million ended before the cancel reached it.
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "tierflow.simulation.quota.enterprise.iterations-per-run=" + ProgressFromAnyInstanceIT.ITERATIONS)
@Import(TestTokenDecoderConfiguration.class)
class ProgressFromAnyInstanceIT {

	/** Iterations of the run: far more than it computes before it is cancelled. */
	static final long ITERATIONS = 5_000_000_000L;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String MODEL = """
			{"inputs": [
			   {"name": "units", "distribution": {"type": "normal", "mean": 1000, "sd": 100}},
			   {"name": "price", "distribution": {"type": "discrete", "values": [9, 10, 12], "probabilities": [0.2, 0.5, 0.3]}}],
			 "correlations": [{"between": ["units", "price"], "rho": -0.4}],
			 "outputs": [{"name": "revenue", "expression": "units * price"}]}
			""";

	/** The infrastructure this context was given, for instance B. */
	private static final Map<String, Supplier<Object>> INFRASTRUCTURE = new ConcurrentHashMap<>();

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		// The databases are created once, here; instance B uses them as they are.
		ServiceTestInfrastructure.tenantDataService((name, value) -> {
			INFRASTRUCTURE.put(name, value);
			registry.add(name, value);
		}, "simulation", "simanywhere");
	}

	@LocalServerPort
	int port;

	@Autowired
	TenantProvisioner provisioner;

	@Autowired
	LiveRuns live;

	private final HttpClient http = HttpClient.newHttpClient();

	private ConfigurableApplicationContext instanceB;

	@BeforeEach
	void startInstanceB() {
		List<String> args = new ArrayList<>(List.of("--server.port=0", "--management.server.port=0"));
		INFRASTRUCTURE.forEach((name, value) -> args.add("--" + name + "=" + value.get()));
		this.instanceB = new SpringApplicationBuilder(SimulationServiceApplication.class,
				TestTokenDecoderConfiguration.class)
			.run(args.toArray(String[]::new));
	}

	@AfterEach
	void stopInstanceB() {
		if (this.instanceB != null) {
			this.instanceB.close();
		}
	}

	@Test
	void progressAndCancelWorkThroughAnInstanceThatDoesNotComputeTheRun() {
		ApiClient a = new ApiClient(this.port);
		int portB = this.instanceB.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
		ApiClient b = new ApiClient(portB);
		UUID tenant = UUID.randomUUID();
		assertThat(this.provisioner.provision(tenant, Tier.ENTERPRISE, "eu").state()).isEqualTo(PlacementState.READY);
		String t = token(tenant, "USER");
		Response model = a.post("/api/v1/models", t, "{\"name\":\"anywhere\",\"definition\":" + MODEL + "}");
		assertThat(model.status()).as(model.body()).isEqualTo(201);

		// Far more iterations than it computes before it is cancelled, even on a fast
		// machine.
		Response started = a.post("/api/v1/models/" + JSON.readTree(model.body()).get("id").asString() + "/runs", t,
				"{\"iterations\":" + ITERATIONS + ",\"seed\":11}");
		assertThat(started.status()).as(started.body()).isEqualTo(202);
		UUID id = UUID.fromString(JSON.readTree(started.body()).get("id").asString());
		LiveRuns liveB = this.instanceB.getBean(LiveRuns.class);
		assertThat(this.live.computedHere()).contains(id);
		assertThat(liveB.computedHere()).doesNotContain(id);

		HttpResponse<Stream<String>> stream = sse(portB, "/api/v1/runs/" + id + "/progress", t);
		assertThat(stream.statusCode()).isEqualTo(200);
		List<String[]> events = new CopyOnWriteArrayList<>();
		CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> read(stream, events));
		try {
			// B shows the run moving, not only where it stood when the stream opened.
			await().atMost(Duration.ofMinutes(2))
				.untilAsserted(() -> assertThat(progressed(events)).as(() -> names(events).toString())
					.hasSizeGreaterThanOrEqualTo(3));

			Response cancel = b.post("/api/v1/runs/" + id + "/cancel", t, "");
			assertThat(cancel.status()).as(cancel.body()).isEqualTo(202);
			await().atMost(Duration.ofMinutes(1)).until(reading::isDone);
		}
		finally {
			stream.body().close();
		}

		List<String> names = names(events);
		assertThat(names.get(names.size() - 1)).as(names.toString()).isEqualTo("result");
		assertThat(names.subList(0, names.size() - 1)).containsOnly("progress");
		List<Long> done = iterationsDone(events);
		assertThat(done).as("iterations done, in the order B streamed them").isSorted();
		JsonNode lastProgress = JSON.readTree(events.get(events.size() - 2)[1]);
		assertThat(lastProgress.get("percent").asDouble()).isBetween(0.0, 100.0);
		assertThat(lastProgress.get("iterationsPerSecond").asLong()).isPositive();
		assertThat(lastProgress.get("etaSeconds").isIntegralNumber()).isTrue();

		// Cancelled through B, stopped on A, which recorded its end.
		JsonNode result = JSON.readTree(events.get(events.size() - 1)[1]);
		assertThat(result.get("id").asString()).isEqualTo(id.toString());
		assertThat(result.get("status").asString()).isEqualTo("CANCELLED");
		assertThat(result.get("iterationsDone").asLong()).isGreaterThanOrEqualTo(done.get(done.size() - 1))
			.isLessThan(ITERATIONS);
		assertThat(result.get("result").get("outputs")).isNotEmpty();
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.live.computedHere()).doesNotContain(id));
		assertThat(JSON.readTree(a.get("/api/v1/runs/" + id, t).body()).get("status").asString())
			.isEqualTo("CANCELLED");
	}

	/** The distinct positive iterations done that the stream's progress events showed. */
	private static List<Long> progressed(List<String[]> events) {
		return iterationsDone(events).stream().filter((done) -> done > 0).distinct().toList();
	}

	private static List<Long> iterationsDone(List<String[]> events) {
		return events.stream()
			.filter((e) -> e[0].equals("progress"))
			.map((e) -> JSON.readTree(e[1]).get("iterationsDone").asLong())
			.toList();
	}

	private static List<String> names(List<String[]> events) {
		return events.stream().map((e) -> e[0]).toList();
	}

	private HttpResponse<Stream<String>> sse(int port, String path, String token) {
		try {
			return this.http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
				.header("Authorization", "Bearer " + token)
				.header("Accept", "text/event-stream")
				.timeout(Duration.ofSeconds(60))
				.GET()
				.build(), HttpResponse.BodyHandlers.ofLines());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** Adds the stream's events (name and data) to {@code events} until it ends. */
	private static void read(HttpResponse<Stream<String>> response, List<String[]> events) {
		String[] current = { null, null };
		try (Stream<String> lines = response.body()) {
			lines.forEach((line) -> {
				if (line.startsWith("event:")) {
					current[0] = line.substring(6).trim();
				}
				else if (line.startsWith("data:")) {
					current[1] = ((current[1] != null) ? current[1] + "\n" : "") + line.substring(5);
				}
				else if (line.isEmpty() && current[0] != null) {
					events.add(new String[] { current[0], current[1] });
					current[0] = null;
					current[1] = null;
				}
			});
		}
	}

}
