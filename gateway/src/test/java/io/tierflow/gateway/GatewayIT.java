package io.tierflow.gateway;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.sun.net.httpserver.HttpServer;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two gateway instances on one PostgreSQL, in front of two instances of a service: each
 * API path is routed to its service and balanced over its instances with the caller's
 * token, a request without a valid token is refused at the gateway, and each tenant's
 * rate is limited by its tier from one bucket both instances draw from. Its own actuator
 * answers on the management port, to system admins only.
 */
class GatewayIT {

	private static final String DATABASE = "gateway_it";

	/** A tenant with a limit of its own. */
	private static final UUID OVERRIDDEN = UUID.randomUUID();

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private static final List<HttpServer> backends = new ArrayList<>();

	private static final Map<String, String> lastAuthorization = new HashMap<>();

	/** Backends whose /readyz answers 503. */
	private static final Set<String> notReady = java.util.concurrent.ConcurrentHashMap.newKeySet();

	private static ConfigurableApplicationContext first;

	/** file-service's two instances. */
	private static List<String> files;

	private static ConfigurableApplicationContext second;

	@BeforeAll
	static void start() throws Exception {
		PostgresServer pg = TestPostgres.get();
		pg.dropDatabase(DATABASE);
		pg.createDatabase(DATABASE);
		String a = backend("A");
		String b = backend("B");
		files = List.of(backend("C"), backend("D"));
		first = gateway(pg, a, b);
		second = gateway(pg, a, b);
	}

	@AfterAll
	static void stop() {
		first.close();
		second.close();
		backends.forEach((s) -> s.stop(0));
		TestPostgres.get().dropDatabase(DATABASE);
	}

	@Test
	void routesEachPathToItsServiceBalancedOverItsInstancesWithTheCallersToken() throws Exception {
		String token = token(UUID.randomUUID(), "ENTERPRISE");
		Set<String> instances = new HashSet<>();
		for (int i = 0; i < 12; i++) {
			HttpResponse<String> response = get(first, "/api/v1/models", token);
			assertThat(response.statusCode()).isEqualTo(200);
			instances.add(response.body());
		}
		assertThat(instances).containsExactlyInAnyOrder("A /api/v1/models", "B /api/v1/models");
		assertThat(lastAuthorization).containsValue("Bearer " + token);
	}

	/**
	 * Each tenant-data service's own admin API is reached under
	 * {@code /api/v1/admin/services/<name>/}, with the caller's token; the rest of
	 * {@code /api/v1/admin/} is tenant-service's.
	 */
	@Test
	void routesEachServicesAdminApiUnderItsName() throws Exception {
		String token = token(UUID.randomUUID(), "ENTERPRISE");
		HttpResponse<String> simulation = get(first, "/api/v1/admin/services/simulation/clusters", token);
		assertThat(simulation.statusCode()).isEqualTo(200);
		assertThat(simulation.body()).isIn("A /api/v1/admin/clusters", "B /api/v1/admin/clusters");
		HttpResponse<String> file = get(first, "/api/v1/admin/services/file/placement/recommendations", token);
		assertThat(file.body()).isIn("C /api/v1/admin/placement/recommendations",
				"D /api/v1/admin/placement/recommendations");
		assertThat(lastAuthorization).containsValue("Bearer " + token);
		// tenant-service (A here) keeps its own admin paths, and an unknown service's.
		assertThat(get(first, "/api/v1/admin/database/services", token).body())
			.isEqualTo("A /api/v1/admin/database/services");
		assertThat(get(first, "/api/v1/admin/services/nosuch/clusters", token).body())
			.isEqualTo("A /api/v1/admin/services/nosuch/clusters");
		assertThat(get(first, "/api/v1/admin/services/simulation/clusters", null).statusCode()).isEqualTo(401);
	}

	/**
	 * An instance that is not ready (killed, frozen, starting) leaves the rotation: its
	 * {@code /readyz} is polled, and requests go to the ready ones until it answers
	 * again.
	 */
	@Test
	void balancesOnlyOverReadyInstances() throws Exception {
		String token = token(UUID.randomUUID(), "ENTERPRISE");
		notReady.add("D");
		try {
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
				Set<String> served = new HashSet<>();
				for (int i = 0; i < 6; i++) {
					HttpResponse<String> response = get(first, "/api/v1/files", token);
					assertThat(response.statusCode()).isEqualTo(200);
					served.add(response.body());
				}
				assertThat(served).containsExactly("C /api/v1/files");
			});
		}
		finally {
			notReady.remove("D");
		}
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			Set<String> served = new HashSet<>();
			for (int i = 0; i < 6; i++) {
				served.add(get(first, "/api/v1/files", token).body());
			}
			assertThat(served).containsExactlyInAnyOrder("C /api/v1/files", "D /api/v1/files");
		});
	}

	/**
	 * Sign-in goes through the gateway without a token: the token endpoint's form (client
	 * credentials, codes) reaches tenant-service whole.
	 */
	@Test
	void passesTheAuthorizationServersFormsOnWhole() throws Exception {
		String form = "grant_type=client_credentials&scope=a+b&x=%C3%A9%26";
		HttpResponse<String> response = HTTP.send(HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + ((WebServerApplicationContext) first).getWebServer().getPort()
					+ "/oauth2/token"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("Authorization",
					"Basic " + java.util.Base64.getEncoder().encodeToString("c:s".getBytes(StandardCharsets.UTF_8)))
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.timeout(Duration.ofSeconds(30))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("A /oauth2/token " + form);
	}

	/** The same form, read as a servlet container reads it (the authorization server). */
	@Test
	void aServletBackendReadsTheFormsParameters() throws Exception {
		org.apache.catalina.startup.Tomcat tomcat = new org.apache.catalina.startup.Tomcat();
		tomcat.setBaseDir(java.nio.file.Files.createTempDirectory("tomcat").toString());
		tomcat.setPort(0);
		org.apache.catalina.Context context = tomcat.addContext("", null);
		org.apache.catalina.startup.Tomcat.addServlet(context, "form", new jakarta.servlet.http.HttpServlet() {
			@Override
			protected void service(jakarta.servlet.http.HttpServletRequest req,
					jakarta.servlet.http.HttpServletResponse res) throws java.io.IOException {
				res.setCharacterEncoding("UTF-8");
				res.getWriter()
					.write(req.getMethod() + " " + req.getParameter("grant_type") + " " + req.getParameter("x") + " "
							+ req.getContentType() + " " + req.getHeader("Content-Length") + " "
							+ req.getHeader("Transfer-Encoding"));
			}
		});
		context.addServletMappingDecoded("/*", "form");
		tomcat.start();
		int port = tomcat.getConnector().getLocalPort();
		ConfigurableApplicationContext gateway = gateway(TestPostgres.get(), "http://127.0.0.1:" + port,
				"http://127.0.0.1:" + port);
		try {
			String form = "grant_type=client_credentials&x=%C3%A9%26";
			HttpResponse<String> response = HTTP.send(HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:"
						+ ((WebServerApplicationContext) gateway).getWebServer().getPort() + "/oauth2/token"))
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString(form))
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(response.body()).startsWith("POST client_credentials é&");
		}
		finally {
			gateway.close();
			tomcat.stop();
			tomcat.destroy();
		}
	}

	@Test
	void refusesRequestsWithoutAValidTokenBeforeTheyReachAService() throws Exception {
		HttpResponse<String> none = get(first, "/api/v1/models", null);
		assertThat(none.statusCode()).isEqualTo(401);
		assertThat(none.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/problem+json"));
		Map<String, Object> claims = claims(UUID.randomUUID(), "ENTERPRISE");
		claims.put("aud", List.of("another-api"));
		assertThat(get(first, "/api/v1/models", ServiceTestInfrastructure.TOKENS.sign(claims)).statusCode())
			.isEqualTo(401);
	}

	/**
	 * The console's pages are served without a token (what they show comes from the APIs,
	 * with the user's token); nothing else is.
	 */
	@Test
	void servesTheConsoleWithoutATokenAndNothingElse() throws Exception {
		HttpResponse<String> page = get(first, "/", null);
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("text/html"));
		assertThat(page.body()).contains("<div id=\"root\"></div>");
		// Scripts, styles and calls from the gateway's own origin only: nothing inline.
		assertThat(page.headers().firstValue("Content-Security-Policy"))
			.hasValueSatisfying((policy) -> assertThat(policy).contains("script-src 'self';", "frame-ancestors 'none'",
					"object-src 'none'"));
		java.util.regex.Matcher script = java.util.regex.Pattern.compile("src=\"(/assets/[^\"]+\\.js)\"")
			.matcher(page.body());
		assertThat(script.find()).as(page.body()).isTrue();
		HttpResponse<String> bundle = get(first, script.group(1), null);
		assertThat(bundle.statusCode()).isEqualTo(200);
		assertThat(bundle.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).contains("javascript"));
		assertThat(bundle.headers().firstValue("Content-Security-Policy")).isPresent();
		assertThat(get(first, "/assets/no-such-file.js", null).statusCode()).isEqualTo(404);
		assertThat(get(first, "/not-the-console", null).statusCode()).isEqualTo(401);
		assertThat(get(first, "/assets/../api/v1/models", null).statusCode()).isIn(400, 401);
	}

	@Test
	void limitsATenantByItsTierFromOneBucketAcrossInstances() throws Exception {
		// SHARED here: 1 request per second, bursts of 20. Were each instance to keep
		// its own bucket, 40 would pass at once.
		String token = token(UUID.randomUUID(), "SHARED");
		int passed = 0;
		HttpResponse<String> refused = null;
		Instant start = Instant.now();
		for (int i = 0; i < 60; i++) {
			HttpResponse<String> response = get((i % 2 == 0) ? first : second, "/api/v1/models", token);
			assertThat(response.headers().firstValue("RateLimit-Limit")).hasValue("20");
			assertThat(response.headers().firstValue("RateLimit-Remaining")).isPresent();
			if (response.statusCode() == 200) {
				passed++;
			}
			else {
				assertThat(response.statusCode()).isEqualTo(429);
				refused = response;
			}
		}
		double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
		// The burst, what refilled meanwhile, and one unsettled request per instance.
		assertThat(passed).isGreaterThanOrEqualTo(20).isLessThanOrEqualTo(20 + (int) Math.ceil(seconds) + 2);
		assertThat(refused).isNotNull();
		assertThat(refused.headers().firstValue("Retry-After"))
			.hasValueSatisfying((s) -> assertThat(Long.parseLong(s)).isPositive());
		assertThat(refused.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/problem+json"));
		assertThat(refused.body()).contains("1 requests per second with bursts of 20");
	}

	@Test
	void aTierOrATenantOverrideSetsTheLimit() throws Exception {
		assertThat(get(first, "/api/v1/models", token(UUID.randomUUID(), "DEDICATED")).headers()
			.firstValue("RateLimit-Limit")).hasValue("100");
		assertThat(get(first, "/api/v1/models", token(UUID.randomUUID(), null)).headers().firstValue("RateLimit-Limit"))
			.hasValue("20");
		assertThat(get(first, "/api/v1/models", token(OVERRIDDEN, "SHARED")).headers().firstValue("RateLimit-Limit"))
			.hasValue("7");
	}

	/**
	 * A tenant's own limit, which a system admin set at tenant-service and its tokens
	 * carry, comes before its tier's and a configured override; a claim that is not a
	 * pair of whole numbers in range is ignored.
	 */
	@Test
	void aTokensOwnLimitComesFirst() throws Exception {
		UUID tenant = UUID.randomUUID();
		Map<String, Object> claims = claims(tenant, "ENTERPRISE");
		claims.put("rate_limit", Map.of("requests_per_second", 1, "burst", 3));
		String limited = ServiceTestInfrastructure.TOKENS.sign(claims);
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			HttpResponse<String> response = get(i % 2 == 0 ? first : second, "/api/v1/models", limited);
			assertThat(response.headers().firstValue("RateLimit-Limit")).hasValue("3");
			statuses.add(response.statusCode());
		}
		assertThat(statuses).contains(429);
		Map<String, Object> overridden = claims(OVERRIDDEN, "SHARED");
		overridden.put("rate_limit", Map.of("requests_per_second", 50, "burst", 60));
		assertThat(get(first, "/api/v1/models", ServiceTestInfrastructure.TOKENS.sign(overridden)).headers()
			.firstValue("RateLimit-Limit")).hasValue("60");
		for (Object bent : List.of(Map.of("requests_per_second", 0, "burst", 5),
				Map.of("requests_per_second", 1.5, "burst", 5), Map.of("requests_per_second", 10_000_000, "burst", 5),
				Map.of("burst", 5), "100/200")) {
			Map<String, Object> odd = claims(UUID.randomUUID(), "DEDICATED");
			odd.put("rate_limit", bent);
			assertThat(get(first, "/api/v1/models", ServiceTestInfrastructure.TOKENS.sign(odd)).headers()
				.firstValue("RateLimit-Limit")).as(bent.toString()).hasValue("100");
		}
	}

	@Test
	void aTenantOverItsLimitDoesNotSlowAnother() throws Exception {
		String noisy = token(UUID.randomUUID(), "SHARED");
		for (int i = 0; i < 50; i++) {
			get(first, "/api/v1/models", noisy);
		}
		assertThat(get(first, "/api/v1/models", noisy).statusCode()).isEqualTo(429);
		assertThat(get(first, "/api/v1/models", token(UUID.randomUUID(), "SHARED")).statusCode()).isEqualTo(200);
	}

	@Test
	void probesAreAnonymousAndTheActuatorAnswersSystemAdminsOnlyOnItsOwnPort() throws Exception {
		for (String probe : List.of("/livez", "/readyz")) {
			HttpResponse<String> response = get(first, probe, null);
			assertThat(response.statusCode()).as(probe).isEqualTo(200);
			assertThat(response.body()).isEqualTo("{\"status\":\"UP\"}");
		}
		String operator = ServiceTestInfrastructure.systemAdminToken();
		assertThat(get(first, "/actuator/health", operator).statusCode()).isEqualTo(404);
		int management = Integer.parseInt(first.getEnvironment().getProperty("local.management.port"));
		assertThat(send(management, "/actuator/metrics", null).statusCode()).isEqualTo(401);
		assertThat(send(management, "/actuator/metrics", token(UUID.randomUUID(), "SHARED")).statusCode())
			.isEqualTo(403);
		assertThat(send(management, "/actuator/metrics", operator).statusCode()).isEqualTo(200);
		assertThat(send(management, "/actuator/prometheus", null).statusCode()).isEqualTo(401);
		assertThat(send(management, "/actuator/prometheus", token(UUID.randomUUID(), "SHARED")).statusCode())
			.isEqualTo(403);
		HttpResponse<String> prometheus = send(management, "/actuator/prometheus", operator);
		assertThat(prometheus.statusCode()).isEqualTo(200);
		assertThat(prometheus.body()).contains("http_server_requests_seconds_count{");
		assertThat(send(management, "/actuator/health", operator).body()).contains("\"status\":\"UP\"")
			.doesNotContain("components")
			.doesNotContain("details");
	}

	private static String token(UUID tenant, String tier) {
		return ServiceTestInfrastructure.TOKENS.sign(claims(tenant, tier));
	}

	private static Map<String, Object> claims(UUID tenant, String tier) {
		Instant now = Instant.now();
		Map<String, Object> claims = new HashMap<>();
		claims.put("iss", ServiceTestInfrastructure.TOKENS.issuer());
		claims.put("aud", List.of(ServiceTestInfrastructure.TOKENS.audience()));
		claims.put("sub", "user-" + tenant);
		claims.put("iat", now);
		claims.put("exp", now.plusSeconds(600));
		claims.put("tenant_id", tenant.toString());
		claims.put("roles", List.of("USER"));
		if (tier != null) {
			claims.put("tier", tier);
		}
		return claims;
	}

	private static HttpResponse<String> get(ConfigurableApplicationContext gateway, String path, String token)
			throws Exception {
		return send(((WebServerApplicationContext) gateway).getWebServer().getPort(), path, token);
	}

	private static HttpResponse<String> send(int port, String path, String token) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(30));
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** An instance of a service: answers its name and the path it was asked for. */
	private static String backend(String name) throws Exception {
		HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		server.createContext("/", (exchange) -> {
			if (exchange.getRequestURI().getPath().equals("/readyz") && notReady.contains(name)) {
				exchange.sendResponseHeaders(503, -1);
				exchange.close();
				return;
			}
			synchronized (lastAuthorization) {
				lastAuthorization.put(name, exchange.getRequestHeaders().getFirst("Authorization"));
			}
			String received = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
			byte[] body = (name + " " + exchange.getRequestURI().getPath() + (received.isEmpty() ? "" : " " + received))
				.getBytes(StandardCharsets.UTF_8);
			exchange.sendResponseHeaders(200, body.length);
			exchange.getResponseBody().write(body);
			exchange.close();
		});
		server.start();
		backends.add(server);
		return "http://127.0.0.1:" + server.getAddress().getPort();
	}

	private static ConfigurableApplicationContext gateway(PostgresServer pg, String a, String b) {
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("server.port", "0");
		properties.put("management.server.port", "0");
		properties.put("spring.datasource.url", pg.jdbcUrl(DATABASE));
		properties.put("spring.datasource.username", pg.adminUser());
		properties.put("spring.datasource.password", pg.adminPassword());
		properties.put("spring.cloud.discovery.client.simple.instances.simulation-service[0].uri", a);
		properties.put("spring.cloud.discovery.client.simple.instances.simulation-service[1].uri", b);
		properties.put("spring.cloud.discovery.client.simple.instances.tenant-service[0].uri", a);
		properties.put("spring.cloud.discovery.client.simple.instances.file-service[0].uri", files.get(0));
		properties.put("spring.cloud.discovery.client.simple.instances.file-service[1].uri", files.get(1));
		properties.put("tierflow.security.issuer", ServiceTestInfrastructure.TOKENS.issuer());
		properties.put("tierflow.security.jwk-set-uri", ServiceTestInfrastructure.jwksUri());
		properties.put("tierflow.gateway.rate-limits.tiers.SHARED.requests-per-second", "1");
		properties.put("tierflow.gateway.rate-limits.tiers.SHARED.burst", "20");
		properties.put("tierflow.gateway.rate-limits.tiers.DEDICATED.burst", "100");
		properties.put("tierflow.gateway.rate-limits.tenants." + OVERRIDDEN + ".requests-per-second", "7");
		properties.put("tierflow.gateway.rate-limits.tenants." + OVERRIDDEN + ".burst", "7");
		properties.put("tierflow.gateway.rate-limits.max-unsynced", "1");
		// As arguments: they win over application.yml, as an operator's would.
		return new SpringApplicationBuilder(GatewayApplication.class).run(properties.entrySet()
			.stream()
			.map((e) -> "--" + e.getKey() + "=" + e.getValue())
			.toArray(String[]::new));
	}

}
