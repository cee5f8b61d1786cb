package io.tierflow.simulation;

import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.ApiClient.Response;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.fuzz.HostileInputs;
import io.tierflow.servicetest.fuzz.HostileInputs.Texts;
import io.tierflow.servicetest.fuzz.ServiceUnderFuzz;
import io.tierflow.tenancy.placement.Tier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import tools.jackson.databind.json.JsonMapper;

import static io.tierflow.servicetest.fuzz.HostileInputs.inPath;
import static io.tierflow.servicetest.fuzz.HostileInputs.inQuery;
import static io.tierflow.servicetest.fuzz.NoServerErrors.assertBelow500;
import static io.tierflow.servicetest.fuzz.NoServerErrors.assertNoServerError;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated requests for every endpoint, shaped after its request types (NewModel and its
 * definition, NewRun, ids, paging) but bent ({@link HostileInputs}), expressions among
 * them. Whatever comes in, the answer is never a 5xx.
 */
class RequestFuzzIT {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	/** Short strings: the body limit (1 MB) is far. */
	private static final HostileInputs JSON = HostileInputs.json();

	private static ServiceUnderFuzz service;

	private static ApiClient api;

	private static String token;

	/** A model without a definition: runs of it are refused before anything computes. */
	private static String draft;

	@BeforeContainer
	static void start() {
		service = ServiceUnderFuzz.tenantDataService(SimulationServiceApplication.class, "simulation", "simfuzz");
		api = service.api();
		token = ServiceTestInfrastructure.token(service.provision(Tier.SHARED), "USER");
		Response created = api.post("/api/v1/models", token, "{\"name\": \"draft\"}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		draft = MAPPER.readTree(created.body()).get("id").asString();
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
	void readingByIdOrPageIsNeverAServerError(@ForAll(supplier = Texts.class) String id,
			@ForAll(supplier = Texts.class) String page) {
		assertBelow500(api.get("/api/v1/models/" + inPath(id), token), id);
		assertBelow500(api.get("/api/v1/runs/" + inPath(id), token), id);
		assertNoServerError(api.get("/api/v1/models?page=" + inQuery(page) + "&size=" + inQuery(page), token), page);
		assertNoServerError(api.get("/api/v1/runs?page=" + inQuery(page), token), page);
	}

	@Provide
	Arbitrary<String> models() {
		Arbitrary<String> definition = Arbitraries.oneOf(definitions(), JSON.values());
		return Arbitraries.oneOf(
				Arbitraries.of("{\"name\": %s, \"description\": %s, \"definition\": %s}")
					.flatMap((shape) -> Arbitraries.oneOf(names(), JSON.values())
						.flatMap((name) -> Arbitraries.oneOf(JSON.strings(), JSON.values())
							.flatMap((description) -> definition
								.map((def) -> shape.formatted(name, description, def))))),
				JSON.values(), HostileInputs.brokenJson("name"));
	}

	@Provide
	Arbitrary<String> runs() {
		Arbitrary<String> iterations = Arbitraries.oneOf(JSON.numbers(), JSON.values());
		Arbitrary<String> seed = Arbitraries.oneOf(JSON.numbers(), JSON.values());
		return Arbitraries.oneOf(
				iterations.flatMap((i) -> seed.map((s) -> "{\"iterations\": " + i + ", \"seed\": " + s + "}")),
				JSON.values(), HostileInputs.brokenJson("name"));
	}

	/** Definitions of about the documented shape, with every part bent now and then. */
	private Arbitrary<String> definitions() {
		Arbitrary<String> input = Arbitraries.oneOf(names(), JSON.values())
			.flatMap((name) -> Arbitraries.oneOf(distributions(), JSON.values())
				.map((distribution) -> "{\"name\": " + name + ", \"distribution\": " + distribution + "}"));
		Arbitrary<String> output = Arbitraries.oneOf(names(), JSON.values())
			.flatMap((name) -> Arbitraries.oneOf(expressions().map(HostileInputs::quote), JSON.values())
				.map((expression) -> "{\"name\": " + name + ", \"expression\": " + expression + "}"));
		Arbitrary<String> correlation = Arbitraries.oneOf(names(), JSON.values())
			.flatMap((a) -> JSON.numbers().map((rho) -> "{\"between\": [" + a + ", \"x\"], \"rho\": " + rho + "}"));
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
			.flatMap(
					(type) -> Arbitraries.of("mean", "sd", "min", "mode", "max", "value", "values", "probabilities")
						.flatMap((parameter) -> Arbitraries.oneOf(JSON.numbers(), JSON.values())
							.map((value) -> "{\"type\": " + HostileInputs.quote(type) + ", \"" + parameter + "\": "
									+ value
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
			.map(HostileInputs::quote);
	}

}
