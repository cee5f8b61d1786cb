package io.tierflow.tenant;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.ApiClient.Response;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.tenancy.security.TokenIssuer;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TestPostgres;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated requests for every endpoint, shaped after its request types (NewTenant,
 * Suspension, TierChangeRequest, Rebalance, NewUser, UserUpdate, DevTokenRequest,
 * ImportRequest, ids, paging, audit queries) but bent: deep nesting, long strings, huge
 * numbers, unicode, NUL characters, wrong JSON types, odd content types. Whatever comes
 * in, as a system admin or a tenant admin, the answer is never a 5xx, and a body over the
 * limit is a 413 however it is sent. jqwik runs outside Spring's test support, so the
 * service is started here, on the same test PostgreSQL and Kafka as the other tests.
 * Failing samples are not shrunk: each step would be more requests, and the sample as
 * generated is reported.
 */
class RequestFuzzIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private static ConfigurableApplicationContext service;

	private static ApiClient api;

	private static int port;

	private static String admin;

	private static String tenantAdmin;

	/** A tenant of the fuzzing, PROVISIONING: no tenant-data service answers here. */
	private static String tenant;

	private static List<String> callers;

	@BeforeContainer
	static void start() throws Exception {
		PostgresServer pg = TestPostgres.get();
		pg.dropDatabase("tenantfuzz");
		pg.createDatabase("tenantfuzz");
		List<String> args = new ArrayList<>(List.of("--server.port=0", "--spring.profiles.active=dev",
				"--tierflow.tokens.dev-issuer=true", "--spring.datasource.url=" + pg.jdbcUrl("tenantfuzz"),
				"--spring.datasource.username=" + pg.adminUser(), "--spring.datasource.password=" + pg.adminPassword(),
				"--tierflow.tenants.archives=" + Files.createTempDirectory("tierflow-archives-fuzz")));
		ServiceTestInfrastructure.kafka((name, value) -> args.add("--" + name + "=" + value.get()));
		service = new SpringApplicationBuilder(TenantServiceApplication.class).run(args.toArray(String[]::new));
		port = Integer.parseInt(service.getEnvironment().getProperty("local.server.port"));
		api = new ApiClient(port);
		TokenIssuer tokens = service.getBean(TokenIssuer.class);
		admin = tokens.issue("operator", null, List.of("SYSTEM_ADMIN"), Duration.ofMinutes(30));
		Response created = api.post("/api/v1/tenants", admin, "{\"name\": \"Fuzz\", \"slug\": \"fuzz-"
				+ System.nanoTime() + "\", \"plan\": \"TRIAL\", \"region\": \"eu\"}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		tenant = JSON.readTree(created.body()).get("id").asString();
		tenantAdmin = tokens.issue("alice", UUID.fromString(tenant), List.of("TENANT_ADMIN"), Duration.ofMinutes(30));
		callers = List.of(admin, tenantAdmin);
	}

	@AfterContainer
	static void stop() {
		if (service != null) {
			service.close();
		}
	}

	@Property(tries = 150, shrinking = ShrinkingMode.OFF)
	void sendingABodyIsNeverAServerError(@ForAll("bodyRequests") String[] request, @ForAll("bodies") String body,
			@ForAll boolean asTenantAdmin) {
		String token = asTenantAdmin ? tenantAdmin : admin;
		String path = request[1].replace("{id}", tenant);
		Response response = request[0].equals("PATCH") ? patch(path, token, body, "application/json")
				: api.post(path, token, body);
		assertNoServerError(response, request[0] + " " + path + " " + body);
	}

	@Property(tries = 30, shrinking = ShrinkingMode.OFF)
	void aBodyOfAnyContentTypeIsNeverAServerError(@ForAll("contentTypes") String contentType,
			@ForAll("bodies") String body) {
		assertNoServerError(api.post("/api/v1/tenants", admin, body, "Content-Type", contentType),
				contentType + " " + body);
		assertNoServerError(
				patch("/api/v1/tenants/" + tenant + "/users/" + UUID.randomUUID(), admin, body, contentType),
				contentType + " " + body);
	}

	@Property(tries = 60, shrinking = ShrinkingMode.OFF)
	void addressingAnyIdIsNeverAServerError(@ForAll("texts") String id, @ForAll("texts") String other,
			@ForAll boolean asTenantAdmin) {
		String token = asTenantAdmin ? tenantAdmin : admin;
		String a = encodePath(id);
		String b = encodePath(other);
		// Tomcat and the firewall refuse some paths (an encoded NUL or slash, say) with a
		// 400 page of their own before the application sees them: only the status is
		// asserted here.
		List<Response> responses = List.of(api.get("/api/v1/tenants/" + a, token),
				api.get("/api/v1/tenants/" + a + "/tier-changes", token),
				api.get("/api/v1/tenants/" + a + "/erasure", token),
				api.post("/api/v1/tenants/" + a + "/suspend", token, ""),
				api.post("/api/v1/tenants/" + a + "/reactivate", token, ""),
				api.post("/api/v1/tenants/" + a + "/retry-provisioning", token, ""),
				api.post("/api/v1/tenants/" + a + "/restore-deletion", token, ""),
				api.get("/api/v1/tenants/" + a + "/users", token),
				api.delete("/api/v1/tenants/" + a + "/users/" + b, token),
				api.post("/api/v1/tenants/" + a + "/exports", token, ""),
				api.get("/api/v1/tenants/" + a + "/exports/" + b, token),
				api.get("/api/v1/tenants/" + a + "/exports/" + b + "/archive", token),
				api.get("/api/v1/tenants/imports/" + a, token),
				api.post("/api/v1/notifications/" + a + "/read", token, ""),
				api.delete("/api/v1/tenants/" + a + "?immediate=" + query(other), token));
		for (Response response : responses) {
			assertThat(response.status()).as("%s for %s / %s", response.body(), id, other).isLessThan(500);
		}
	}

	@Property(tries = 80, shrinking = ShrinkingMode.OFF)
	void pagingAndQueryingIsNeverAServerError(@ForAll("texts") String page, @ForAll("texts") String size,
			@ForAll("texts") String value, @ForAll("instants") String from, @ForAll("instants") String to,
			@ForAll boolean asTenantAdmin) {
		String token = asTenantAdmin ? tenantAdmin : admin;
		String paging = "?page=" + query(page) + "&size=" + query(size);
		for (String path : List.of("/api/v1/tenants", "/api/v1/tenants/" + tenant + "/tier-changes",
				"/api/v1/tenants/" + tenant + "/users", "/api/v1/notifications")) {
			assertNoServerError(api.get(path + paging, token), path + paging);
		}
		String audit = "?tenantId=" + query(value) + "&action=" + query(value) + "&subject=" + query(value) + "&from="
				+ query(from) + "&to=" + query(to) + "&cursor=" + query(value) + "&limit=" + query(size);
		assertNoServerError(api.get("/api/v1/audit" + audit, token), audit);
		String own = "?from=" + query(from) + "&to=" + query(to) + "&limit=" + query(size);
		assertNoServerError(api.get("/api/v1/audit" + own, token), own);
		assertNoServerError(api.get("/api/v1/audit/verify?tenantId=" + query(value), token), value);
	}

	@Example
	void aBodyOverTheLimitIsA413WhetherItsLengthIsDeclaredOrNot() throws Exception {
		String large = "{\"name\": \"" + "x".repeat(70_000) + "\", \"slug\": \"big\", \"plan\": \"TRIAL\"}";
		HttpResponse<String> declared = send(HttpRequest.BodyPublishers.ofString(large));
		assertThat(declared.statusCode()).isEqualTo(413);
		assertThat(declared.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
		assertThat(declared.body()).contains("maxBodySize").contains("65536");

		HttpResponse<String> chunked = send(
				HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(large.getBytes())));
		assertThat(chunked.statusCode()).isEqualTo(413);
		assertThat(chunked.body()).contains("maxBodySize");
		// Within the limit, a chunked body is read as any other.
		String small = "{\"name\": \"Small\", \"slug\": \"small-" + System.nanoTime()
				+ "\", \"plan\": \"TRIAL\", \"region\": \"eu\"}";
		HttpResponse<String> accepted = send(
				HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(small.getBytes())));
		assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);
	}

	/** Spring MVC failed on a media range as the body's type, with a 500. */
	@Example
	void aMediaRangeAsTheBodysTypeIsA415() {
		for (String range : List.of("application/*", "*/*")) {
			Response refused = api.post("/api/v1/tenants", admin, "{}", "Content-Type", range);
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
		Response refused = api.post("/api/v1/tenants", admin, "{\"name\": \"\ufeff\u0007\"}", "Content-Type",
				"application/x-www-form-urlencoded");
		assertThat(refused.status()).as(refused.body()).isEqualTo(400);
		assertThat(refused.isProblem()).isTrue();
	}

	private static HttpResponse<String> send(HttpRequest.BodyPublisher body) throws Exception {
		return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/tenants"))
			.header("Authorization", "Bearer " + admin)
			.header("Content-Type", "application/json")
			.timeout(Duration.ofSeconds(30))
			.POST(body)
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** PATCH, which the shared test client does not send. */
	private static Response patch(String path, String token, String body, String contentType) {
		try {
			HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
				.header("Authorization", "Bearer " + token)
				.header("Content-Type", contentType)
				.timeout(Duration.ofSeconds(30))
				.method("PATCH", HttpRequest.BodyPublishers.ofString(body))
				.build(), HttpResponse.BodyHandlers.ofString());
			return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Below 500, and a refusal is problem+json. */
	private static void assertNoServerError(Response response, String request) {
		String shown = (request.length() > 300) ? request.substring(0, 300) + "…" : request;
		assertThat(response.status()).as("%s for %s", response.body(), shown).isLessThan(500);
		if (response.status() >= 400) {
			assertThat(response.isProblem()).as("%s for %s", response.contentType(), shown).isTrue();
		}
	}

	private static String encodePath(String text) {
		return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
	}

	private static String query(String text) {
		return URLEncoder.encode(text, StandardCharsets.UTF_8);
	}

	/**
	 * Method and path of every endpoint that takes a JSON body ({id}: the fuzzing's
	 * tenant).
	 */
	@Provide
	Arbitrary<String[]> bodyRequests() {
		return Arbitraries.of(new String[] { "POST", "/api/v1/tenants" },
				new String[] { "POST", "/api/v1/tenants/{id}/suspend" },
				new String[] { "POST", "/api/v1/tenants/{id}/tier-change" },
				new String[] { "POST", "/api/v1/tenants/{id}/rebalance" },
				new String[] { "POST", "/api/v1/tenants/{id}/users" },
				new String[] { "PATCH", "/api/v1/tenants/{id}/users/" + UUID.randomUUID() },
				new String[] { "POST", "/api/v1/dev/tokens" }, new String[] { "POST", "/api/v1/tenants/imports" });
	}

	/**
	 * Objects with the fields of the request types, each a plausible value or a bent one,
	 * and any other JSON.
	 */
	@Provide
	Arbitrary<String> bodies() {
		Arbitrary<String> field = Arbitraries
			.of("name", "slug", "plan", "region", "reason", "services", "email", "role", "subject", "tenantId", "roles",
					"ttlMinutes", "tier", "exportId", "keepId")
			.flatMap((name) -> Arbitraries.oneOf(plausible(name), values()).map((value) -> quote(name) + ": " + value));
		Arbitrary<String> objects = field.list()
			.ofMinSize(1)
			.ofMaxSize(8)
			.map((fields) -> "{" + String.join(", ", fields) + "}");
		return Arbitraries.oneOf(objects, objects, values(), brokenJson());
	}

	private Arbitrary<String> plausible(String field) {
		Arbitrary<String> value = switch (field) {
			case "slug" -> Arbitraries.strings().withChars("abcxyz0123456789-").ofMinLength(1).ofMaxLength(70);
			case "plan" -> Arbitraries.of("TRIAL", "STANDARD", "PROFESSIONAL", "ENTERPRISE", "trial", "NONE");
			case "region" -> Arbitraries.of("eu", "us", "EU", "e", "x".repeat(17));
			case "email" ->
				Arbitraries.of("a@example.com", "a@", "@b", "a@b@c", "é@exämple.com", "a@" + "b".repeat(300));
			case "role" -> Arbitraries.of("USER", "TENANT_ADMIN", "SYSTEM_ADMIN", "user");
			case "tier" -> Arbitraries.of("SHARED", "DEDICATED", "ENTERPRISE", "GOLD");
			case "tenantId", "exportId" -> Arbitraries.of(UUID.randomUUID().toString(), tenant, "not-a-uuid", "");
			default -> Arbitraries.strings().ofMaxLength(60);
		};
		return switch (field) {
			case "services", "roles" -> Arbitraries
				.oneOf(Arbitraries.of("simulation", "file", "billing", "analytics", "nope", "USER", "SYSTEM_ADMIN", ""),
						Arbitraries.strings().ofMaxLength(20))
				.map(RequestFuzzIT::quote)
				.list()
				.ofMaxSize(5)
				.map((list) -> "[" + String.join(", ", list) + "]");
			case "ttlMinutes" -> numbers();
			case "keepId" -> Arbitraries.of("true", "false", "null");
			default -> value.map(RequestFuzzIT::quote);
		};
	}

	@Provide
	Arbitrary<String> contentTypes() {
		return Arbitraries.oneOf(
				Arbitraries.of("text/plain", "application/xml", "application/x-www-form-urlencoded",
						"multipart/form-data; boundary=x", "multipart/form-data", "application/json; charset=utf-16",
						"application/json; charset=nonsense", "application/*", "*/*", "", "json"),
				Arbitraries.strings().withCharRange('!', '~').ofMaxLength(40));
	}

	@Provide
	Arbitrary<String> texts() {
		return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(40),
				Arbitraries.of(UUID.randomUUID().toString(), "0", "1", "200", "201", "-1", "2147483647", "2147483648",
						"99999999999999999999", "1e9", "0.5", "", "true", "\u0000", "é😀", "../x", "%00",
						"00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"));
	}

	@Provide
	Arbitrary<String> instants() {
		return Arbitraries.oneOf(Arbitraries.of("2026-01-01T00:00:00Z", "2026-01-01T00:00:00+01:00",
				"+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "+10000-01-01T00:00:00Z",
				"0000-01-01T00:00:00Z", "-4714-11-23T00:00:00Z", "294277-01-01T00:00:00Z", "2026-13-01T00:00:00Z",
				"2026-01-01", "2026-01-01T25:00:00Z", "", "now", "\u0000"), Arbitraries.strings().ofMaxLength(30));
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
				Arbitraries.of("0", "-0", "1", "1440", "1441", "1e400", "-1e400", "123456789012345678901234567890",
						"1e-400", "0.5", "9".repeat(5000), "1" + "0".repeat(400) + ".5"));
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
		return Arbitraries.oneOf(Arbitraries.of("", "{", "{\"name\":", "[1,", "{\"name\": \"a\"}}", "\u0000", "nul",
				"{\"name\": \"a\", \"name\": 1}", "{\"name\": \"\\ud800\"}", "{\"name\": \"\\u0000\"}",
				"{\"subject\": \"\\u0000\", \"roles\": [\"USER\"]}", "{\"roles\": [\"USER\", null]}",
				"{\"services\": [null]}"), Arbitraries.strings().ofMaxLength(100));
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
