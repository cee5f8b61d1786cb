package io.tierflow.simulation;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.ApiClient.Response;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.TestTokenDecoderConfiguration;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.tierflow.servicetest.ServiceTestInfrastructure.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every request costs a bounded amount: expressions, definitions and bodies beyond their
 * limits are refused as problems naming the limit, and progress streams are capped.
 */
// Small stream caps, so that a test can reach them.
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "tierflow.simulation.progress-streams.per-tenant=2",
				"tierflow.simulation.progress-streams.per-instance=3" })
@Import(TestTokenDecoderConfiguration.class)
class RequestLimitsIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String INPUT = "{\"name\": \"a\", \"distribution\": {\"type\": \"normal\", \"mean\": 1, \"sd\": 1}}";

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		ServiceTestInfrastructure.tenantDataService(registry, "simulation", "simlimits");
	}

	@LocalServerPort
	int port;

	@Autowired
	TenantProvisioner provisioner;

	ApiClient api;

	private final HttpClient http = HttpClient.newHttpClient();

	@BeforeEach
	void client() {
		this.api = new ApiClient(this.port);
	}

	@Test
	void anExpressionNestedAThousandDeepIsA422NamingTheDepthLimit() {
		String t = token(provision(Tier.SHARED), "USER");
		Response refused = createModel(t, List.of("(".repeat(1000) + "a" + ")".repeat(1000)));
		JsonNode problem = problem(refused, 422);
		assertThat(problem.get("limit").asString()).isEqualTo("maxExpressionDepth");
		assertThat(problem.get("limitValue").asInt()).isEqualTo(64);
		assertThat(problem.get("detail").asString()).contains("maxExpressionDepth (64)").contains("at position 65");
		assertThat(problem.get("faults").get(0).get("kind").asString()).isEqualTo("TOO_DEEP");
	}

	@Test
	void aSumOfThousandsOfUnknownNamesIsA422WithTheFirstFaultsListed() {
		String t = token(provision(Tier.SHARED), "USER");
		List<String> sums = new ArrayList<>();
		for (int o = 0; o < 4; o++) {
			int from = o * 1000;
			sums.add(IntStream.range(from, from + 1000).mapToObj((i) -> "u" + i).collect(Collectors.joining(" + ")));
		}
		JsonNode problem = problem(createModel(t, sums), 422);
		assertThat(problem.get("faults")).hasSize(50);
		assertThat(problem.get("faults").findValuesAsString("kind")).containsOnly("UNKNOWN_NAME");
		assertThat(problem.get("faultCount").asInt()).isEqualTo(4000);
		assertThat(problem.get("omittedFaults").asInt()).isEqualTo(3950);
	}

	@Test
	void anOverLongExpressionIsA422NamingTheLengthLimit() {
		String t = token(provision(Tier.SHARED), "USER");
		JsonNode problem = problem(createModel(t, List.of("a + ".repeat(2500) + "a")), 422);
		assertThat(problem.get("limit").asString()).isEqualTo("maxExpressionLength");
		assertThat(problem.get("detail").asString()).contains("10000");
		assertThat(problem.get("faults").get(0).get("subject").asString()).isEqualTo("outputs[0].expression");
	}

	@Test
	void aBodyOverTheLimitIsA413WhetherItsLengthIsDeclaredOrNot() throws Exception {
		String t = token(provision(Tier.SHARED), "USER");
		String large = "{\"name\": \"big\", \"description\": \"" + "x".repeat(1_100_000) + "\"}";
		HttpResponse<String> declared = send(HttpRequest.BodyPublishers.ofString(large), t);
		assertThat(declared.statusCode()).isEqualTo(413);
		assertThat(declared.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
		assertThat(declared.body()).contains("maxBodySize");

		HttpResponse<String> chunked = send(
				HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(large.getBytes())), t);
		assertThat(chunked.statusCode()).isEqualTo(413);
		// Within the limit, a chunked body is read as any other.
		HttpResponse<String> small = send(HttpRequest.BodyPublishers
			.ofInputStream(() -> new ByteArrayInputStream("{\"name\": \"s\"}".getBytes())), t);
		assertThat(small.statusCode()).as(small.body()).isEqualTo(201);
	}

	@Test
	void progressStreamsOverTheCapsAre429UntilOneCloses() throws Exception {
		UUID a = provision(Tier.ENTERPRISE);
		UUID b = provision(Tier.ENTERPRISE);
		String tokenA = token(a, "USER");
		String tokenB = token(b, "USER");
		String runA = longRun(tokenA);
		String runB = longRun(tokenB);
		List<HttpResponse<Stream<String>>> open = new ArrayList<>();
		try {
			open.add(stream(runA, tokenA, 200));
			HttpResponse<Stream<String>> closing = stream(runA, tokenA, 200);
			HttpResponse<Stream<String>> overTenant = stream(runA, tokenA, 429);
			assertThat(overTenant.headers().firstValue("Retry-After")).hasValue("5");
			assertThat(overTenant.headers().firstValue("Content-Type").orElse(""))
				.startsWith("application/problem+json");
			assertThat(body(overTenant)).contains("progressStreamsPerTenant");

			open.add(stream(runB, tokenB, 200));
			HttpResponse<Stream<String>> overInstance = stream(runB, tokenB, 429);
			assertThat(body(overInstance)).contains("progressStreamsPerInstance");

			// A client that goes away frees its slot once the server notices.
			closing.body().close();
			await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
				HttpResponse<Stream<String>> again = sse(runA, tokenA);
				if (again.statusCode() == 200) {
					open.add(again);
					return true;
				}
				again.body().close();
				return false;
			});
		}
		finally {
			open.forEach((response) -> response.body().close());
			this.api.post("/api/v1/runs/" + runA + "/cancel", tokenA, "");
			this.api.post("/api/v1/runs/" + runB + "/cancel", tokenB, "");
		}
	}

	private String longRun(String token) {
		Response model = createModel(token, List.of("a * 2"));
		assertThat(model.status()).as(model.body()).isEqualTo(201);
		String modelId = JSON.readTree(model.body()).get("id").asString();
		Response run = this.api.post("/api/v1/models/" + modelId + "/runs", token,
				"{\"iterations\": 100000000, \"seed\": 1}");
		assertThat(run.status()).as(run.body()).isEqualTo(202);
		return JSON.readTree(run.body()).get("id").asString();
	}

	private HttpResponse<Stream<String>> stream(String runId, String token, int status) throws Exception {
		HttpResponse<Stream<String>> response = sse(runId, token);
		assertThat(response.statusCode()).isEqualTo(status);
		return response;
	}

	private HttpResponse<Stream<String>> sse(String runId, String token) throws IOException, InterruptedException {
		return this.http.send(HttpRequest
			.newBuilder(URI.create("http://localhost:" + this.port + "/api/v1/runs/" + runId + "/progress"))
			.header("Authorization", "Bearer " + token)
			.header("Accept", "text/event-stream")
			.timeout(Duration.ofSeconds(60))
			.GET()
			.build(), HttpResponse.BodyHandlers.ofLines());
	}

	private static String body(HttpResponse<Stream<String>> response) {
		try (Stream<String> lines = response.body()) {
			return lines.collect(Collectors.joining("\n"));
		}
	}

	private HttpResponse<String> send(HttpRequest.BodyPublisher body, String token) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/api/v1/models"))
			.header("Authorization", "Bearer " + token)
			.header("Content-Type", "application/json")
			.timeout(Duration.ofSeconds(30))
			.POST(body)
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private Response createModel(String token, List<String> expressions) {
		String outputs = IntStream.range(0, expressions.size())
			.mapToObj((i) -> "{\"name\": \"o" + i + "\", \"expression\": \"" + expressions.get(i) + "\"}")
			.collect(Collectors.joining(", "));
		return this.api.post("/api/v1/models", token, "{\"name\": \"m-" + UUID.randomUUID()
				+ "\", \"definition\": {\"inputs\": [" + INPUT + "], \"outputs\": [" + outputs + "]}}");
	}

	private static JsonNode problem(Response response, int status) {
		assertThat(response.status()).as(response.body()).isEqualTo(status);
		assertThat(response.isProblem()).as(response.contentType()).isTrue();
		return JSON.readTree(response.body());
	}

	private UUID provision(Tier tier) {
		UUID tenant = UUID.randomUUID();
		assertThat(this.provisioner.provision(tenant, tier, "eu").state()).isEqualTo(PlacementState.READY);
		return tenant;
	}

}
