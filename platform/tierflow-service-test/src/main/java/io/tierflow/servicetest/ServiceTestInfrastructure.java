package io.tierflow.servicetest;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.tierflow.tenancy.security.TokenIssuer;
import io.tierflow.testsupport.KafkaServer;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TestKafka;
import io.tierflow.testsupport.TestPostgres;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Real infrastructure for a service under test: fresh databases for its control database
 * and its shared, dedicated and enterprise clusters on the test PostgreSQL, the test
 * Kafka broker, and a token issuer whose keys the service trusts (tests mint tokens for
 * any tenant, or an attacker).
 */
public final class ServiceTestInfrastructure {

	/** Signs the tokens of every service test in this JVM. */
	public static final TokenIssuer TOKENS = new TokenIssuer(TokenIssuer.generateKey(), "tierflow-test");

	private static volatile String jwksUri;

	private ServiceTestInfrastructure() {
	}

	/**
	 * Where {@link #TOKENS}' public key is served as a JWK set, over HTTP on loopback,
	 * the way tenant-service serves its own: services under test fetch it like any key
	 * set ({@link TestTokenDecoderConfiguration}).
	 */
	public static String jwksUri() {
		String uri = jwksUri;
		if (uri == null) {
			synchronized (ServiceTestInfrastructure.class) {
				uri = jwksUri;
				if (uri == null) {
					uri = serveJwks();
					jwksUri = uri;
				}
			}
		}
		return uri;
	}

	private static String serveJwks() {
		try {
			byte[] body = com.nimbusds.jose.util.JSONObjectUtils.toJSONString(TOKENS.publicJwks())
				.getBytes(java.nio.charset.StandardCharsets.UTF_8);
			com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer
				.create(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
			server.createContext("/.well-known/jwks.json", (exchange) -> {
				exchange.getResponseHeaders().add("Content-Type", "application/json");
				exchange.sendResponseHeaders(200, body.length);
				exchange.getResponseBody().write(body);
				exchange.close();
			});
			// Daemon threads: the server goes with the JVM.
			server.setExecutor(java.util.concurrent.Executors.newSingleThreadExecutor((r) -> {
				Thread t = new Thread(r, "test-jwks");
				t.setDaemon(true);
				return t;
			}));
			server.start();
			return "http://127.0.0.1:" + server.getAddress().getPort() + "/.well-known/jwks.json";
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException("Cannot serve the test JWK set", ex);
		}
	}

	/**
	 * Registers a tenant-data service's tenancy and Kafka properties.
	 * @param service the short service name ({@code simulation})
	 * @param prefix prefix of the databases created for this test class, unique per class
	 */
	public static void tenantDataService(DynamicPropertyRegistry registry, String service, String prefix) {
		PostgresServer pg = TestPostgres.get();
		String control = prefix + "_control";
		String[][] clusters = { { "shared-eu", prefix + "_shared", "SHARED", "eu" },
				{ "dedicated-eu", prefix + "_dedicated", "DEDICATED", "eu" },
				{ "enterprise-eu", prefix + "_enterprise", "ENTERPRISE", "eu" } };
		recreate(pg, control);
		registry.add("tierflow.tenancy.service", () -> service);
		registry.add("tierflow.tenancy.control.jdbc-url", () -> pg.jdbcUrl(control));
		registry.add("tierflow.tenancy.control.username", pg::adminUser);
		registry.add("tierflow.tenancy.control.password", pg::adminPassword);
		registry.add("tierflow.tenancy.app-role.username", () -> service + "_app");
		registry.add("tierflow.tenancy.app-role.password", () -> "app-secret");
		for (int i = 0; i < clusters.length; i++) {
			String[] c = clusters[i];
			recreate(pg, c[1]);
			String p = "tierflow.tenancy.clusters[" + i + "].";
			registry.add(p + "name", () -> c[0]);
			registry.add(p + "jdbc-url", () -> pg.jdbcUrl(c[1]));
			registry.add(p + "username", pg::adminUser);
			registry.add(p + "password", pg::adminPassword);
			registry.add(p + "role", () -> c[2]);
			registry.add(p + "region", () -> c[3]);
		}
		kafka(registry);
	}

	/**
	 * Registers the test broker for the relay, Spring Kafka and the Spring Cloud Stream
	 * binder.
	 */
	public static void kafka(DynamicPropertyRegistry registry) {
		KafkaServer kafka = TestKafka.get();
		registry.add("spring.kafka.bootstrap-servers", kafka::bootstrapServers);
		registry.add("spring.cloud.stream.kafka.binder.brokers", kafka::bootstrapServers);
		// The test broker requires SASL/SCRAM: every client signs in, the binder's from
		// spring.kafka.* like Tierflow's own producers.
		kafka.springProperties().forEach((name, value) -> registry.add(name, () -> value));
		registry.add("tierflow.events.relay.sweep-interval", () -> "1s");
	}

	/** A token of a user of {@code tenantId} with the given roles. */
	public static String token(UUID tenantId, String... roles) {
		return TOKENS.issue("user-" + UUID.randomUUID(), tenantId, List.of(roles), Duration.ofMinutes(30));
	}

	/** A token of a platform operator, not bound to any tenant. */
	public static String systemAdminToken() {
		return TOKENS.issue("operator", null, List.of("SYSTEM_ADMIN"), Duration.ofMinutes(30));
	}

	private static void recreate(PostgresServer pg, String database) {
		pg.dropDatabase(database);
		pg.createDatabase(database);
	}

}
