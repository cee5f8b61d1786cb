package io.tierflow.billing;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Combinators;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated requests for every endpoint, shaped after its request types (NewMeter, ids,
 * paging) but bent: deep nesting, long strings, huge numbers, unicode, NUL characters,
 * wrong JSON types, odd content types. Whatever comes in, the answer is never a 5xx, and
 * a body over the limit is a 413 however it is sent. jqwik runs outside Spring's test
 * support, so the service is started here, on the same test PostgreSQL and Kafka as the
 * other tests. Failing samples are not shrunk: each step would be more requests, and the
 * sample as generated is reported.
 */
class RequestFuzzIT {

	private static final String METERS = "/api/v1/meters";

	private static ConfigurableApplicationContext service;

	private static ApiClient api;

	private static int port;

	private static String token;

	@BeforeContainer
	static void start() {
		List<String> args = new ArrayList<>(List.of("--server.port=0"));
		ServiceTestInfrastructure.tenantDataService((name, value) -> args.add("--" + name + "=" + value.get()),
				"billing", "billfuzz");
		service = new SpringApplicationBuilder(BillingServiceApplication.class, TestTokenDecoderConfiguration.class)
			.run(args.toArray(String[]::new));
		port = Integer.parseInt(service.getEnvironment().getProperty("local.server.port"));
		api = new ApiClient(port);
		UUID tenant = UUID.randomUUID();
		service.getBean(TenantProvisioner.class).provision(tenant, Tier.SHARED, "eu");
		token = ServiceTestInfrastructure.token(tenant, "USER");
		Response created = api.post(METERS, token, "{\"key\": \"cpu\", \"unit\": \"s\"}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
	}

	@AfterContainer
	static void stop() {
		if (service != null) {
			service.close();
		}
	}

	@Property(tries = 200, shrinking = ShrinkingMode.OFF)
	void creatingAMeterIsNeverAServerError(@ForAll("meters") String body) {
		assertNoServerError(api.post(METERS, token, body), body);
	}

	@Property(tries = 40, shrinking = ShrinkingMode.OFF)
	void aBodyOfAnyContentTypeIsNeverAServerError(@ForAll("contentTypes") String contentType,
			@ForAll("meters") String body) {
		assertNoServerError(api.post(METERS, token, body, "Content-Type", contentType), contentType + " " + body);
	}

	@Property(tries = 80, shrinking = ShrinkingMode.OFF)
	void readingByIdOrPageIsNeverAServerError(@ForAll("texts") String id, @ForAll("texts") String page,
			@ForAll("texts") String size) {
		String encodedId = URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
		String encodedPage = URLEncoder.encode(page, StandardCharsets.UTF_8);
		String encodedSize = URLEncoder.encode(size, StandardCharsets.UTF_8);
		// Tomcat itself refuses some paths (an encoded NUL, say) with a 400 page of its
		// own before the application sees them: only the status is asserted here.
		assertThat(api.get(METERS + "/" + encodedId, token).status()).isLessThan(500);
		assertThat(api.get("/api/v1/invoices/" + encodedId, token).status()).isLessThan(500);
		String paging = "?page=" + encodedPage + "&size=" + encodedSize;
		assertNoServerError(api.get(METERS + paging, token), paging);
		assertNoServerError(api.get("/api/v1/invoices" + paging, token), paging);
		assertNoServerError(api.get("/api/v1/usage/current" + paging, token), paging);
	}

	@Example
	void aBodyOverTheLimitIsA413WhetherItsLengthIsDeclaredOrNot() throws Exception {
		String large = "{\"key\": \"big\", \"unit\": \"s\", \"description\": \"" + "x".repeat(70_000) + "\"}";
		HttpResponse<String> declared = send(HttpRequest.BodyPublishers.ofString(large));
		assertThat(declared.statusCode()).isEqualTo(413);
		assertThat(declared.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
		assertThat(declared.body()).contains("maxBodySize").contains("65536");

		HttpResponse<String> chunked = send(
				HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(large.getBytes())));
		assertThat(chunked.statusCode()).isEqualTo(413);
		assertThat(chunked.body()).contains("maxBodySize");
		// Within the limit, a chunked body is read as any other.
		HttpResponse<String> small = send(HttpRequest.BodyPublishers
			.ofInputStream(() -> new ByteArrayInputStream("{\"key\": \"small\", \"unit\": \"s\"}".getBytes())));
		assertThat(small.statusCode()).as(small.body()).isEqualTo(201);
	}

	/** Spring MVC failed on a media range as the body's type, with a 500. */
	@Example
	void aMediaRangeAsTheBodysTypeIsA415() {
		for (String range : List.of("application/*", "*/*")) {
			Response refused = api.post(METERS, token, "{\"key\": \"a\", \"unit\": \"s\"}", "Content-Type", range);
			assertThat(refused.status()).as(refused.body()).isEqualTo(415);
			assertThat(refused.isProblem()).isTrue();
		}
	}

	/**
	 * Spring Security's firewall refused the parameter name of a form-encoded body inside
	 * Spring MVC, which was answered as a 500.
	 */
	@Example
	void aFormBodyWithAParameterNameTheFirewallRefusesIsA400() {
		Response refused = api.post(METERS, token, "{\"key\": \"\ufeff\u0007\"}", "Content-Type",
				"application/x-www-form-urlencoded");
		assertThat(refused.status()).as(refused.body()).isEqualTo(400);
		assertThat(refused.isProblem()).isTrue();
		assertThat(refused.body()).contains("Request rejected");
	}

	private static HttpResponse<String> send(HttpRequest.BodyPublisher body) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + METERS))
				.header("Authorization", "Bearer " + token)
				.header("Content-Type", "application/json")
				.timeout(Duration.ofSeconds(30))
				.POST(body)
				.build(), HttpResponse.BodyHandlers.ofString());
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
	Arbitrary<String> meters() {
		Arbitrary<String> key = Arbitraries.oneOf(keys(), values());
		Arbitrary<String> unit = Arbitraries.oneOf(strings(), values());
		Arbitrary<String> description = Arbitraries.oneOf(strings(), values());
		return Arbitraries.oneOf(
				Combinators.combine(key, unit, description)
					.as((k, u, d) -> "{\"key\": " + k + ", \"unit\": " + u + ", \"description\": " + d + "}"),
				values(), brokenJson());
	}

	@Provide
	Arbitrary<String> contentTypes() {
		return Arbitraries.oneOf(
				Arbitraries.of("text/plain", "application/xml", "application/x-www-form-urlencoded",
						"multipart/form-data; boundary=x", "application/json; charset=utf-16",
						"application/json; charset=nonsense", "application/*", "*/*", "", "json"),
				Arbitraries.strings().withCharRange('!', '~').ofMaxLength(40));
	}

	@Provide
	Arbitrary<String> texts() {
		return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(40),
				Arbitraries.of(UUID.randomUUID().toString(), "0", "1", "200", "201", "-1", "2147483647", "2147483648",
						"99999999999999999999", "1e9", "0.5", "", "\u0000", "é😀", "../x", "%00",
						"00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"));
	}

	/** Keys of about the accepted shape, and some far from it. */
	private Arbitrary<String> keys() {
		return Arbitraries
			.oneOf(Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(70),
					Arbitraries.strings().ofMaxLength(70), Arbitraries.of("a", "cpu.seconds", "A", "1a", "a\u0000", ""))
			.map(RequestFuzzIT::quote);
	}

	private Arbitrary<String> strings() {
		return Arbitraries
			.oneOf(Arbitraries.strings().ofMaxLength(2000), Arbitraries.strings().all().ofMaxLength(50),
					Arbitraries.strings().withCharRange('a', 'z').ofMinLength(60_000).ofMaxLength(70_000))
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
		Arbitrary<String> deep = Combinators
			.combine(Arbitraries.integers().between(1, 5000), Arbitraries.of(true, false))
			.as((depth, array) -> array ? "[".repeat(depth) + "]".repeat(depth)
					: "{\"a\":".repeat(depth) + "1" + "}".repeat(depth));
		return Arbitraries.oneOf(Arbitraries.of("null", "true", "false", "[]", "{}", "\"\"", "[null]", "{\"\":{}}"),
				numbers(), strings(), deep);
	}

	private Arbitrary<String> brokenJson() {
		return Arbitraries.oneOf(Arbitraries.of("", "{", "{\"key\":", "[1,", "{\"key\": \"a\"}}", "\u0000", "nul",
				"{\"key\": \"a\", \"key\": 1}", "{\"key\": \"\\ud800\", \"unit\": \"s\"}", "{\"key\": \"\\u0000\"}"),
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
