package io.tierflow.tenant;

import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.ApiClient.Response;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.fuzz.BodyRefusalContract;
import io.tierflow.servicetest.fuzz.HostileInputs;
import io.tierflow.servicetest.fuzz.HostileInputs.Texts;
import io.tierflow.servicetest.fuzz.HostileInputs.ContentTypes;
import io.tierflow.servicetest.fuzz.ServiceUnderFuzz;
import io.tierflow.tenancy.security.TokenIssuer;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TestPostgres;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import tools.jackson.databind.json.JsonMapper;

import static io.tierflow.servicetest.fuzz.HostileInputs.inPath;
import static io.tierflow.servicetest.fuzz.HostileInputs.inQuery;
import static io.tierflow.servicetest.fuzz.NoServerErrors.assertBelow500;
import static io.tierflow.servicetest.fuzz.NoServerErrors.assertNoServerError;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated requests for every endpoint, shaped after its request types (NewTenant,
 * Suspension, TierChangeRequest, Rebalance, NewUser, UserUpdate, DevTokenRequest,
 * ImportRequest, ids, paging, audit queries) but bent ({@link HostileInputs}), with odd
 * content types too. Whatever comes in, as a system admin or a tenant admin, the answer
 * is never a 5xx, and bodies it cannot take are refused as {@link BodyRefusalContract}
 * says: a body over the limit is a 413 however it is sent. Failing samples are not
 * shrunk: each step would be more requests, and the sample as generated is reported.
 */
class RequestFuzzIT implements BodyRefusalContract {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	/** Strings around the body limit (64 KB); ttlMinutes' bound (a day). */
	private static final HostileInputs JSON = HostileInputs.json()
		.withLongStrings(60_000, 70_000)
		.withNumbers("1", "1440", "1441");

	private static ServiceUnderFuzz service;

	private static ApiClient api;

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
		List<String> args = new ArrayList<>(List.of("--spring.profiles.active=dev", "--tierflow.tokens.dev-issuer=true",
				"--spring.datasource.url=" + pg.jdbcUrl("tenantfuzz"), "--spring.datasource.username=" + pg.adminUser(),
				"--spring.datasource.password=" + pg.adminPassword(),
				"--tierflow.tenants.archives=" + Files.createTempDirectory("tierflow-archives-fuzz")));
		ServiceTestInfrastructure.kafka((name, value) -> args.add("--" + name + "=" + value.get()));
		service = ServiceUnderFuzz.start(args, TenantServiceApplication.class);
		api = service.api();
		TokenIssuer tokens = service.bean(TokenIssuer.class);
		admin = tokens.issue("operator", null, List.of("SYSTEM_ADMIN"), Duration.ofMinutes(30));
		Response created = api.post("/api/v1/tenants", admin, "{\"name\": \"Fuzz\", \"slug\": \"fuzz-"
				+ System.nanoTime() + "\", \"plan\": \"TRIAL\", \"region\": \"eu\"}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		tenant = MAPPER.readTree(created.body()).get("id").asString();
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
		Response response = switch (request[0]) {
			case "PATCH" -> patch(path, token, body, "application/json");
			case "PUT" -> api.put(path, token, body);
			default -> api.post(path, token, body);
		};
		assertNoServerError(response, request[0] + " " + path + " " + body);
	}

	@Property(tries = 30, shrinking = ShrinkingMode.OFF)
	void aBodyOfAnyContentTypeIsNeverAServerError(@ForAll(supplier = ContentTypes.class) String contentType,
			@ForAll("bodies") String body) {
		assertNoServerError(api.post("/api/v1/tenants", admin, body, "Content-Type", contentType),
				contentType + " " + body);
		assertNoServerError(
				patch("/api/v1/tenants/" + tenant + "/users/" + UUID.randomUUID(), admin, body, contentType),
				contentType + " " + body);
	}

	@Property(tries = 60, shrinking = ShrinkingMode.OFF)
	void addressingAnyIdIsNeverAServerError(@ForAll(supplier = Texts.class) String id,
			@ForAll(supplier = Texts.class) String other, @ForAll boolean asTenantAdmin) {
		String token = asTenantAdmin ? tenantAdmin : admin;
		String a = inPath(id);
		String b = inPath(other);
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
				api.get("/api/v1/tenants/" + a + "/clients", token),
				api.get("/api/v1/tenants/" + a + "/rate-limit", token),
				api.delete("/api/v1/tenants/" + a + "/rate-limit", token),
				api.delete("/api/v1/tenants/" + a + "/clients/" + b, token),
				api.delete("/api/v1/tenants/" + a + "?immediate=" + inQuery(other), token));
		for (Response response : responses) {
			assertBelow500(response, id + " / " + other);
		}
	}

	/**
	 * The authorization server's endpoints take forms: any parameters, as any client (a
	 * made-up one, or none), are an OAuth2 error or a sign-in redirect, never a 5xx.
	 */
	@Property(tries = 60, shrinking = ShrinkingMode.OFF)
	void signingInWithAnyFormIsNeverAServerError(@ForAll("signInPaths") String path, @ForAll("formValues") String grant,
			@ForAll("formValues") String value, @ForAll boolean withClient) {
		String form = "grant_type=" + inQuery(grant) + "&client_id=" + inQuery(value) + "&code=" + inQuery(value)
				+ "&refresh_token=" + inQuery(value) + "&username=" + inQuery(value) + "&password=" + inQuery(value)
				+ "&response_type=code&redirect_uri=" + inQuery(value) + "&code_verifier=" + inQuery(value);
		String basic = withClient ? "Basic " + java.util.Base64.getEncoder()
			.encodeToString((value + ":" + value).getBytes(java.nio.charset.StandardCharsets.UTF_8)) : null;
		java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest
			.newBuilder(java.net.URI.create("http://127.0.0.1:" + service.port() + path))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(java.net.http.HttpRequest.BodyPublishers.ofString(form));
		if (basic != null) {
			request.header("Authorization", basic);
		}
		try {
			java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient()
				.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).as(path + " " + form + " → " + response.body()).isLessThan(500);
		}
		catch (java.io.IOException | InterruptedException ex) {
			throw new AssertionError(ex);
		}
	}

	@Provide
	Arbitrary<String> signInPaths() {
		return Arbitraries.of("/oauth2/token", "/oauth2/authorize", "/oauth2/revoke", "/oauth2/introspect", "/login");
	}

	@Provide
	Arbitrary<String> formValues() {
		return Arbitraries.oneOf(
				Arbitraries.of("client_credentials", "authorization_code", "refresh_token", "password", "",
						"tierflow-console", "\u0000", "é", "http://evil.example/cb", "x".repeat(5000)),
				Arbitraries.strings().ofMaxLength(40));
	}

	@Property(tries = 80, shrinking = ShrinkingMode.OFF)
	void pagingAndQueryingIsNeverAServerError(@ForAll(supplier = Texts.class) String page,
			@ForAll(supplier = Texts.class) String size, @ForAll(supplier = Texts.class) String value,
			@ForAll("instants") String from, @ForAll("instants") String to, @ForAll boolean asTenantAdmin) {
		String token = asTenantAdmin ? tenantAdmin : admin;
		String paging = "?page=" + inQuery(page) + "&size=" + inQuery(size);
		for (String path : List.of("/api/v1/tenants", "/api/v1/tenants/" + tenant + "/tier-changes",
				"/api/v1/tenants/" + tenant + "/users", "/api/v1/tenants/" + tenant + "/clients",
				"/api/v1/notifications")) {
			assertNoServerError(api.get(path + paging, token), path + paging);
		}
		String audit = "?tenantId=" + inQuery(value) + "&action=" + inQuery(value) + "&subject=" + inQuery(value)
				+ "&from=" + inQuery(from) + "&to=" + inQuery(to) + "&cursor=" + inQuery(value) + "&limit="
				+ inQuery(size);
		assertNoServerError(api.get("/api/v1/audit" + audit, token), audit);
		String own = "?from=" + inQuery(from) + "&to=" + inQuery(to) + "&limit=" + inQuery(size);
		assertNoServerError(api.get("/api/v1/audit" + own, token), own);
		assertNoServerError(api.get("/api/v1/audit/verify?tenantId=" + inQuery(value), token), value);
	}

	@Override
	public JsonEndpoint refusingEndpoint() {
		return new JsonEndpoint(service, "/api/v1/tenants", admin,
				"{\"name\": \"" + "x".repeat(70_000) + "\", \"slug\": \"big\", \"plan\": \"TRIAL\"}", 65536,
				"{\"name\": \"Small\", \"slug\": \"small-" + System.nanoTime()
						+ "\", \"plan\": \"TRIAL\", \"region\": \"eu\"}");
	}

	/** PATCH, which the shared test client does not send. */
	private static Response patch(String path, String token, String body, String contentType) {
		return service.send("PATCH", path, token, contentType, HttpRequest.BodyPublishers.ofString(body));
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
				new String[] { "POST", "/api/v1/dev/tokens" }, new String[] { "POST", "/api/v1/tenants/imports" },
				new String[] { "POST", "/api/v1/tenants/{id}/clients" }, new String[] { "POST", "/api/v1/passwords" },
				new String[] { "POST", "/api/v1/password-resets" },
				new String[] { "PUT", "/api/v1/tenants/{id}/rate-limit" });
	}

	/**
	 * Objects with the fields of the request types, each a plausible value or a bent one,
	 * and any other JSON.
	 */
	@Provide
	Arbitrary<String> bodies() {
		Arbitrary<String> field = Arbitraries
			.of("name", "slug", "plan", "region", "reason", "services", "email", "role", "subject", "tenantId", "roles",
					"ttlMinutes", "tier", "exportId", "keepId", "token", "password", "tenant", "requestsPerSecond",
					"burst")
			.flatMap((name) -> Arbitraries.oneOf(plausible(name), JSON.values())
				.map((value) -> HostileInputs.quote(name) + ": " + value));
		Arbitrary<String> objects = field.list()
			.ofMinSize(1)
			.ofMaxSize(8)
			.map((fields) -> "{" + String.join(", ", fields) + "}");
		return Arbitraries.oneOf(objects, objects, JSON.values(),
				HostileInputs.brokenJson("name", "{\"subject\": \"\\u0000\", \"roles\": [\"USER\"]}",
						"{\"roles\": [\"USER\", null]}", "{\"services\": [null]}"));
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
			case "token" -> Arbitraries.of("AAAA", "a".repeat(43), "é", "../x", "a".repeat(101));
			case "password" ->
				Arbitraries.of("correct horse battery", "short", "é".repeat(40), "\u0000".repeat(12), "x".repeat(73));
			case "tenant" -> Arbitraries.of("fuzz", "", "a/b", "x".repeat(65));
			case "tenantId", "exportId" -> Arbitraries.of(UUID.randomUUID().toString(), tenant, "not-a-uuid", "");
			default -> Arbitraries.strings().ofMaxLength(60);
		};
		return switch (field) {
			case "services", "roles" -> Arbitraries
				.oneOf(Arbitraries.of("simulation", "file", "billing", "analytics", "nope", "USER", "SYSTEM_ADMIN", ""),
						Arbitraries.strings().ofMaxLength(20))
				.map(HostileInputs::quote)
				.list()
				.ofMaxSize(5)
				.map((list) -> "[" + String.join(", ", list) + "]");
			case "ttlMinutes", "requestsPerSecond", "burst" -> JSON.numbers();
			case "keepId" -> Arbitraries.of("true", "false", "null");
			default -> value.map(HostileInputs::quote);
		};
	}

	@Provide
	Arbitrary<String> instants() {
		return Arbitraries.oneOf(Arbitraries.of("2026-01-01T00:00:00Z", "2026-01-01T00:00:00+01:00",
				"+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "+10000-01-01T00:00:00Z",
				"0000-01-01T00:00:00Z", "-4714-11-23T00:00:00Z", "294277-01-01T00:00:00Z", "2026-13-01T00:00:00Z",
				"2026-01-01", "2026-01-01T25:00:00Z", "", "now", "\u0000"), Arbitraries.strings().ofMaxLength(30));
	}

}
