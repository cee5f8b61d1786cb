package io.tierflow.simulation;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.ApiClient.Response;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.TestTokenDecoderConfiguration;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated requests for every endpoint, shaped after its request types (NewModel and its
 * definition, NewRun, ids, paging) but bent: deep nesting, long strings, huge numbers,
 * unicode, NUL characters, wrong JSON types. Whatever comes in, the answer is never a
 * 5xx. jqwik runs outside Spring's test support, so the service is started here, on the
 * same test PostgreSQL and Kafka as the other tests.
 */
class RequestFuzzIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static ConfigurableApplicationContext service;

	private static ApiClient api;

	private static String token;

	/** A model without a definition: runs of it are refused before anything computes. */
	private static String draft;

	@BeforeContainer
	static void start() {
		List<String> args = new ArrayList<>(List.of("--server.port=0"));
		ServiceTestInfrastructure.tenantDataService((name, value) -> args.add("--" + name + "=" + value.get()),
				"simulation", "simfuzz");
		service = new SpringApplicationBuilder(SimulationServiceApplication.class, TestTokenDecoderConfiguration.class)
			.run(args.toArray(String[]::new));
		api = new ApiClient(Integer.parseInt(service.getEnvironment().getProperty("local.server.port")));
		UUID tenant = UUID.randomUUID();
		service.getBean(TenantProvisioner.class).provision(tenant, Tier.SHARED, "eu");
		token = ServiceTestInfrastructure.token(tenant, "USER");
		Response created = api.post("/api/v1/models", token, "{\"name\": \"draft\"}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		draft = JSON.readTree(created.body()).get("id").asString();
	}

	@AfterContainer
	static void stop() {
		if (service != null) {
			service.close();
		}
	}

	@Property(tries = 150)
	void creatingAModelIsNeverAServerError(@ForAll("models") String body) {
		assertNoServerError(api.post("/api/v1/models", token, body), body);
	}

	@Property(tries = 80)
	void startingARunIsNeverAServerError(@ForAll("runs") String body) {
		assertNoServerError(api.post("/api/v1/models/" + draft + "/runs", token, body), body);
	}

	@Property(tries = 60)
	void readingByIdOrPageIsNeverAServerError(@ForAll("texts") String id, @ForAll("texts") String page) {
		String encodedId = URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
		String encodedPage = URLEncoder.encode(page, StandardCharsets.UTF_8);
		// Tomcat itself refuses some paths (an encoded NUL, say) with a 400 page of its
		// own before the application sees them: only the status is asserted here.
		assertThat(api.get("/api/v1/models/" + encodedId, token).status()).isLessThan(500);
		assertThat(api.get("/api/v1/runs/" + encodedId, token).status()).isLessThan(500);
		assertNoServerError(api.get("/api/v1/models?page=" + encodedPage + "&size=" + encodedPage, token), page);
		assertNoServerError(api.get("/api/v1/runs?page=" + encodedPage, token), page);
	}

	/** Below 500, and a refusal is problem+json. */
	private static void assertNoServerError(Response response, String request) {
		String shown = (request.length() > 300) ? request.substring(0, 300) + "…" : request;
		assertThat(response.status()).as("%s for %s", response.body(), shown).isLessThan(500);
		if (response.status() >= 400) {
			assertThat(response.isProblem()).as("%s for %s", response.contentType(), shown).isTrue();
		}
	}

	@Provide
	Arbitrary<String> models() {
		Arbitrary<String> definition = Arbitraries.oneOf(definitions(), values());
		return Arbitraries.oneOf(
				Arbitraries.of("{\"name\": %s, \"description\": %s, \"definition\": %s}")
					.flatMap(
							(shape) -> Arbitraries.oneOf(names(), values())
								.flatMap((name) -> Arbitraries.oneOf(strings(), values())
									.flatMap((description) -> definition
										.map((def) -> shape.formatted(name, description, def))))),
				values(), brokenJson());
	}

	@Provide
	Arbitrary<String> runs() {
		Arbitrary<String> iterations = Arbitraries.oneOf(numbers(), values());
		Arbitrary<String> seed = Arbitraries.oneOf(numbers(), values());
		return Arbitraries.oneOf(
				iterations.flatMap((i) -> seed.map((s) -> "{\"iterations\": " + i + ", \"seed\": " + s + "}")),
				values(), brokenJson());
	}

	@Provide
	Arbitrary<String> texts() {
		return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(40), Arbitraries.of(UUID.randomUUID().toString(),
				"-1", "2147483648", "99999999999999999999", "1e9", "\u0000", "é😀", "../x", "%00"));
	}

	/** Definitions of about the documented shape, with every part bent now and then. */
	private Arbitrary<String> definitions() {
		Arbitrary<String> input = Arbitraries.oneOf(names(), values())
			.flatMap((name) -> Arbitraries.oneOf(distributions(), values())
				.map((distribution) -> "{\"name\": " + name + ", \"distribution\": " + distribution + "}"));
		Arbitrary<String> output = Arbitraries.oneOf(names(), values())
			.flatMap((name) -> Arbitraries.oneOf(expressions().map(RequestFuzzIT::quote), values())
				.map((expression) -> "{\"name\": " + name + ", \"expression\": " + expression + "}"));
		Arbitrary<String> correlation = Arbitraries.oneOf(names(), values())
			.flatMap((a) -> numbers().map((rho) -> "{\"between\": [" + a + ", \"x\"], \"rho\": " + rho + "}"));
		return input.list()
			.ofMaxSize(4)
			.flatMap((inputs) -> output.list()
				.ofMaxSize(4)
				.flatMap((outputs) -> correlation.list()
					.ofMaxSize(2)
					.map((correlations) -> "{\"inputs\": " + inputs + ", \"correlations\": " + correlations
							+ ", \"outputs\": " + outputs + "}")));
	}

	private Arbitrary<String> distributions() {
		return Arbitraries.of("normal", "lognormal", "uniform", "triangular", "pert", "discrete", "fixed", "gamma", "")
			.flatMap((type) -> Arbitraries.of("mean", "sd", "min", "mode", "max", "value", "values", "probabilities")
				.flatMap((parameter) -> Arbitraries.oneOf(numbers(), values())
					.map((value) -> "{\"type\": " + quote(type) + ", \"" + parameter + "\": " + value
							+ ", \"values\": [1, 2], \"probabilities\": [0.5, 0.5], \"mean\": 1, \"sd\": 1}")));
	}

	/** Expressions: the language's tokens in any order, or nested deeply. */
	private Arbitrary<String> expressions() {
		Arbitrary<String> tokens = Arbitraries
			.of("a", "b", "x", "1", "1e308", "0", ".5", "(", ")", "+", "-", "−", "*", "/", "^", "<", "==", "!", "not ",
					"and", "or", "min(", "max(", "if(", "abs(", "log(", ",", " ", "é", "😀", "\u0000", "#", "1.2.3")
			.list()
			.ofMaxSize(60)
			.map((list) -> String.join("", list));
		Arbitrary<String> deep = Arbitraries.integers()
			.between(1, 3000)
			.flatMap((depth) -> Arbitraries.of("(", "-", "abs(", "not ", "2^")
				.map((level) -> level.repeat(depth) + "a" + (level.endsWith("(") ? ")".repeat(depth) : "")));
		Arbitrary<String> sums = Arbitraries.integers().between(1, 4000).map((terms) -> "x + ".repeat(terms) + "x");
		return Arbitraries.oneOf(tokens, deep, sums, Arbitraries.strings().ofMaxLength(200));
	}

	private Arbitrary<String> names() {
		return Arbitraries.oneOf(Arbitraries.strings().ofMinLength(1).ofMaxLength(30),
				Arbitraries.strings().withCharRange('a', 'z').ofLength(100_000), Arbitraries.of("a", "x", "and", ""))
			.map(RequestFuzzIT::quote);
	}

	private Arbitrary<String> strings() {
		return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(2000), Arbitraries.strings().all().ofMaxLength(50))
			.map(RequestFuzzIT::quote);
	}

	private Arbitrary<String> numbers() {
		return Arbitraries.oneOf(Arbitraries.longs().map(String::valueOf),
				Arbitraries.doubles().map((d) -> Double.isFinite(d) ? String.valueOf(d) : "1e999"),
				Arbitraries.of("0", "-0", "1e400", "-1e400", "123456789012345678901234567890", "1e-400", "0.5",
						"9".repeat(5000), "1" + "0".repeat(400) + ".5"));
	}

	/** Any JSON value: wrong types, deep nesting, long and odd strings. */
	private Arbitrary<String> values() {
		Arbitrary<String> deep = Arbitraries.integers()
			.between(1, 5000)
			.flatMap((depth) -> Arbitraries.of("[]", "{}")
				.map((brackets) -> (brackets.equals("[]") ? "[".repeat(depth) + "]".repeat(depth)
						: "{\"a\":".repeat(depth) + "1" + "}".repeat(depth))));
		return Arbitraries.oneOf(Arbitraries.of("null", "true", "false", "[]", "{}", "\"\"", "[null]", "{\"\":{}}"),
				numbers(), strings(), deep);
	}

	private Arbitrary<String> brokenJson() {
		return Arbitraries.oneOf(Arbitraries.of("", "{", "{\"name\":", "[1,", "{\"name\": \"a\"}}", "\u0000", "nul"),
				Arbitraries.strings().ofMaxLength(100));
	}

	/** A JSON string of any text, control characters and NUL escaped. */
	private static String quote(String text) {
		StringBuilder json = new StringBuilder(text.length() + 2).append('"');
		for (char c : text.toCharArray()) {
			if (c == '"' || c == '\\') {
				json.append('\\').append(c);
			}
			else if (c < 0x20) {
				json.append(String.format("\\u%04x", (int) c));
			}
			else {
				json.append(c);
			}
		}
		return json.append('"').toString();
	}

}
