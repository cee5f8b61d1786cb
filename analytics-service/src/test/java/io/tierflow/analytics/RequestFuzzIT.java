package io.tierflow.analytics;

import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.ApiClient.Response;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.fuzz.BodyRefusalContract;
import io.tierflow.servicetest.fuzz.HostileInputs;
import io.tierflow.servicetest.fuzz.HostileInputs.Texts;
import io.tierflow.servicetest.fuzz.HostileInputs.ContentTypes;
import io.tierflow.servicetest.fuzz.ServiceUnderFuzz;
import io.tierflow.tenancy.placement.Tier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import static io.tierflow.servicetest.fuzz.HostileInputs.inPath;
import static io.tierflow.servicetest.fuzz.HostileInputs.inQuery;
import static io.tierflow.servicetest.fuzz.NoServerErrors.assertBelow500;
import static io.tierflow.servicetest.fuzz.NoServerErrors.assertNoServerError;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated requests for every endpoint, shaped after its request types (NewDashboard and
 * its definition, ids, paging, date ranges) but bent ({@link HostileInputs}), with odd
 * content types too. Whatever comes in, the answer is never a 5xx, and bodies it cannot
 * take are refused as {@link BodyRefusalContract} says: a body over the limit is a 413
 * however it is sent. Failing samples are not shrunk: each step would be more requests,
 * and the sample as generated is reported.
 */
class RequestFuzzIT implements BodyRefusalContract {

	private static final String DASHBOARDS = "/api/v1/dashboards";

	/**
	 * Strings around the body limit (256 KB), and around the definition's bound (65,536
	 * characters).
	 */
	private static final HostileInputs JSON = HostileInputs.json()
		.withLongStrings(60_000, 70_000)
		.withLongStrings(250_000, 270_000);

	private static ServiceUnderFuzz service;

	private static ApiClient api;

	private static String token;

	private static String admin;

	@BeforeContainer
	static void start() {
		service = ServiceUnderFuzz.tenantDataService(AnalyticsServiceApplication.class, "analytics", "anafuzz");
		api = service.api();
		token = ServiceTestInfrastructure.token(service.provision(Tier.SHARED), "USER");
		admin = ServiceTestInfrastructure.systemAdminToken();
		Response created = api.post(DASHBOARDS, token, "{\"name\": \"first\"}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
	}

	@AfterContainer
	static void stop() {
		if (service != null) {
			service.close();
		}
	}

	@Property(tries = 200, shrinking = ShrinkingMode.OFF)
	void creatingADashboardIsNeverAServerError(@ForAll("dashboards") String body) {
		assertNoServerError(api.post(DASHBOARDS, token, body), body);
	}

	@Property(tries = 40, shrinking = ShrinkingMode.OFF)
	void aBodyOfAnyContentTypeIsNeverAServerError(@ForAll(supplier = ContentTypes.class) String contentType,
			@ForAll("dashboards") String body) {
		assertNoServerError(api.post(DASHBOARDS, token, body, "Content-Type", contentType), contentType + " " + body);
	}

	@Property(tries = 80, shrinking = ShrinkingMode.OFF)
	void readingByIdOrPageIsNeverAServerError(@ForAll(supplier = Texts.class) String id,
			@ForAll(supplier = Texts.class) String page, @ForAll(supplier = Texts.class) String size) {
		assertBelow500(api.get(DASHBOARDS + "/" + inPath(id), token), id);
		String paging = "?page=" + inQuery(page) + "&size=" + inQuery(size);
		assertNoServerError(api.get(DASHBOARDS + paging, token), paging);
	}

	@Property(tries = 100, shrinking = ShrinkingMode.OFF)
	void askingForUsageOfAnyRangeIsNeverAServerError(@ForAll("dates") String from, @ForAll("dates") String to) {
		String range = "?from=" + inQuery(from) + "&to=" + inQuery(to);
		assertNoServerError(api.get("/api/v1/analytics/daily" + range, token), range);
		assertNoServerError(api.get("/api/v1/analytics/overview" + range, admin), range);
		assertNoServerError(api.get("/api/v1/analytics/overview" + range, token), range);
	}

	@Override
	public JsonEndpoint refusingEndpoint() {
		return new JsonEndpoint(service, DASHBOARDS, token,
				"{\"name\": \"big\", \"definition\": {\"text\": \"" + "x".repeat(270_000) + "\"}}", 262144,
				"{\"name\": \"small\"}");
	}

	@Provide
	Arbitrary<String> dashboards() {
		Arbitrary<String> name = Arbitraries.oneOf(names(), JSON.values());
		Arbitrary<String> definition = Arbitraries.oneOf(definitions(), JSON.values());
		return Arbitraries.oneOf(
				Combinators.combine(name, definition).as((n, d) -> "{\"name\": " + n + ", \"definition\": " + d + "}"),
				JSON.values(),
				HostileInputs.brokenJson("name", "{\"name\": \"n\", \"definition\": {\"a\": \"\\ud800\"}}",
						"{\"name\": \"n\", \"definition\": {\"a\": 1e999}}"));
	}

	@Provide
	Arbitrary<String> dates() {
		return Arbitraries.oneOf(
				Combinators
					.combine(Arbitraries.integers().between(1900, 2100), Arbitraries.integers().between(0, 13),
							Arbitraries.integers().between(0, 32))
					.as((y, m, d) -> String.format("%04d-%02d-%02d", y, m, d)),
				Arbitraries.of("2026-01-01", "2026-12-31", "2024-02-29", "2023-02-29", "0000-01-01", "-0001-01-01",
						"+10000-01-01", "+999999999-12-31", "-999999999-01-01", "+5874897-12-31", "-4713-11-24",
						"-4714-11-23", "9999-12-31", "2026-01-01T00:00:00Z", "20260101", "today", "", "\u0000",
						"2026-01-01\u0000", "2026-01-01 ", "é😀"),
				Arbitraries.strings().ofMaxLength(30));
	}

	/**
	 * Definitions: JSON objects of any depth and content, now and then past the bounds.
	 */
	private Arbitrary<String> definitions() {
		Arbitrary<String> keys = Arbitraries.oneOf(names(), Arbitraries.of("\"\\u0000\"", "\"a\\u0000\""));
		Arbitrary<String> member = Combinators.combine(keys, JSON.values()).as((key, value) -> key + ": " + value);
		Arbitrary<String> objects = member.list().ofMaxSize(6).map((members) -> "{" + String.join(", ", members) + "}");
		Arbitrary<String> large = Arbitraries.integers()
			.between(60_000, 70_000)
			.map((n) -> "{\"text\": \"" + "x".repeat(n) + "\"}");
		return Arbitraries.oneOf(objects, large);
	}

	private Arbitrary<String> names() {
		return Arbitraries
			.oneOf(Arbitraries.strings().ofMaxLength(120), Arbitraries.of("a", "first", "", " ", "a\u0000"))
			.map(HostileInputs::quote);
	}

}
