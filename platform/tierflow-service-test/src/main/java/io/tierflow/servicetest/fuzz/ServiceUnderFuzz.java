package io.tierflow.servicetest.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.ApiClient.Response;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.TestTokenDecoderConfiguration;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A service started in this JVM for a property test class: jqwik runs outside Spring's
 * test support, so the test starts the service itself ({@code @BeforeContainer}) and
 * closes it ({@code @AfterContainer}). It listens on free ports, the management port too,
 * and runs on the test PostgreSQL and Kafka like the services' other tests.
 */
public final class ServiceUnderFuzz implements AutoCloseable {

	private final ConfigurableApplicationContext context;

	private final int port;

	private final ApiClient api;

	private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	private ServiceUnderFuzz(ConfigurableApplicationContext context) {
		this.context = context;
		this.port = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
		this.api = new ApiClient(this.port);
	}

	/**
	 * Starts a tenant-data service on fresh databases (named after {@code prefix}, unique
	 * per test class), trusting {@link ServiceTestInfrastructure#TOKENS}.
	 * @param application the service's application class
	 * @param service its short name ({@code billing})
	 * @param arguments more of its arguments ({@code --name=value})
	 */
	public static ServiceUnderFuzz tenantDataService(Class<?> application, String service, String prefix,
			String... arguments) {
		List<String> args = new ArrayList<>(List.of(arguments));
		ServiceTestInfrastructure.tenantDataService((name, value) -> args.add("--" + name + "=" + value.get()), service,
				prefix);
		return start(args, application, TestTokenDecoderConfiguration.class);
	}

	/**
	 * Starts an application of these sources with these arguments ({@code --name=value};
	 * not the ports, which are free ones).
	 */
	public static ServiceUnderFuzz start(List<String> arguments, Class<?>... sources) {
		List<String> args = new ArrayList<>(List.of("--server.port=0", "--management.server.port=0"));
		args.addAll(arguments);
		return new ServiceUnderFuzz(new SpringApplicationBuilder(sources).run(args.toArray(String[]::new)));
	}

	/** The client of its API, on its main port. */
	public ApiClient api() {
		return this.api;
	}

	public int port() {
		return this.port;
	}

	/** Its bean of this type, like its {@code TokenIssuer}. */
	public <T> T bean(Class<T> type) {
		return this.context.getBean(type);
	}

	/** Places a new tenant on the tier (in region {@code eu}) and returns its id. */
	public UUID provision(Tier tier) {
		UUID tenant = UUID.randomUUID();
		assertThat(bean(TenantProvisioner.class).provision(tenant, tier, "eu").state()).isEqualTo(PlacementState.READY);
		return tenant;
	}

	/**
	 * Sends what {@link ApiClient} does not: any method (PATCH), any body (chunked, of
	 * bytes) with any content type.
	 * @param token a bearer token, or {@code null} for none
	 */
	public Response send(String method, String path, String token, String contentType, HttpRequest.BodyPublisher body) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.timeout(Duration.ofSeconds(30))
			.header("Content-Type", contentType)
			.method(method, body);
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		try {
			HttpResponse<String> r = this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
			return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() {
		this.context.close();
	}

}
