package io.tierflow.tenant.database;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.security.TierflowSecurityProperties;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * Asks every tenant-data service the same question at once, with the caller's token (and
 * the tenant it selected), and gives each service's answer or what went wrong with it: a
 * service that is down is an entry of the answer, never a failure of it. Each call has a
 * 2 s connect and a {@value #READ_TIMEOUT_S} s read timeout, and all of them together the
 * same bound, so an answer never waits longer than that.
 */
@Component
class ServiceCalls implements DisposableBean {

	static final int READ_TIMEOUT_S = 15;

	private final Map<String, URI> services;

	private final RestClient client;

	private final JsonMapper json;

	private final String tenantHeader;

	private final ExecutorService calls = Executors.newCachedThreadPool((r) -> {
		Thread t = new Thread(r, "tierflow-service-calls");
		t.setDaemon(true);
		return t;
	});

	ServiceCalls(ServiceUrls urls, TierflowSecurityProperties security) {
		this.services = urls.byService();
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
		JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(http);
		requests.setReadTimeout(Duration.ofSeconds(READ_TIMEOUT_S));
		this.client = RestClient.builder().requestFactory(requests).build();
		this.json = JsonMapper.builder().build();
		this.tenantHeader = security.tenantHeader();
	}

	/** The services asked, by name. */
	List<String> services() {
		return List.copyOf(this.services.keySet());
	}

	/**
	 * {@code method path} of each service in {@code only} (every one when null).
	 * @param path with its query, the same on every service
	 */
	List<Answer> ask(HttpMethod method, String path, List<String> only) {
		return ask(method, path, only, null);
	}

	/**
	 * {@code method path} of each service in {@code only} (every one when null), with a
	 * JSON body.
	 * @param body the JSON body sent to each, or null for none
	 */
	List<Answer> ask(HttpMethod method, String path, List<String> only, JsonNode body) {
		String token = (SecurityContextHolder.getContext().getAuthentication() instanceof JwtAuthenticationToken jwt)
				? jwt.getToken().getTokenValue() : null;
		String tenant = TenantContext.current().map(Object::toString).orElse(null);
		Map<String, CompletableFuture<Answer>> pending = new LinkedHashMap<>();
		this.services.forEach((service, url) -> {
			if (only == null || only.contains(service)) {
				pending.put(service, CompletableFuture
					.supplyAsync(() -> call(service, url.resolve(path), method, token, tenant, body), this.calls));
			}
		});
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READ_TIMEOUT_S + 2);
		List<Answer> answers = new ArrayList<>();
		pending.forEach((service, answer) -> {
			try {
				answers.add(answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
			}
			catch (TimeoutException ex) {
				answer.cancel(true);
				answers.add(Answer.failed(service, null, "no answer in time"));
			}
			catch (Exception ex) {
				answers.add(Answer.failed(service, null, ex.toString()));
			}
		});
		return answers;
	}

	private Answer call(String service, URI uri, HttpMethod method, String token, String tenant, JsonNode json) {
		long start = System.nanoTime();
		try {
			RestClient.RequestBodySpec spec = this.client.method(method).uri(uri);
			if (json != null) {
				spec = spec.contentType(MediaType.APPLICATION_JSON).body(this.json.writeValueAsBytes(json));
			}
			return spec.headers((headers) -> {
				if (token != null) {
					headers.setBearerAuth(token);
				}
				if (tenant != null) {
					headers.set(this.tenantHeader, tenant);
				}
				headers.set(HttpHeaders.ACCEPT, "application/json, application/problem+json");
			}).exchange((request, response) -> {
				int status = response.getStatusCode().value();
				double ms = (System.nanoTime() - start) / 1_000_000.0;
				byte[] body = response.getBody().readNBytes(4 * 1024 * 1024);
				JsonNode parsed = parse(body);
				if (status >= 200 && status < 300) {
					return new Answer(service, true, status, ms, parsed, null);
				}
				String detail = (parsed != null && parsed.has("detail")) ? parsed.get("detail").asString()
						: "HTTP " + status;
				return new Answer(service, false, status, ms, null, detail);
			});
		}
		catch (RuntimeException ex) {
			Throwable cause = ex;
			while (cause.getCause() != null) {
				cause = cause.getCause();
			}
			return Answer.failed(service, (System.nanoTime() - start) / 1_000_000.0,
					"unreachable: " + cause.getClass().getSimpleName());
		}
	}

	private JsonNode parse(byte[] body) {
		if (body.length == 0) {
			return null;
		}
		try {
			return this.json.readTree(body);
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	@Override
	public void destroy() {
		this.calls.shutdownNow();
	}

	/**
	 * One service's answer.
	 *
	 * @param ok whether it answered 2xx
	 * @param status its HTTP status, null when it did not answer
	 * @param latencyMs how long it took, null when it never answered
	 * @param body its JSON answer when ok
	 * @param error what went wrong otherwise
	 */
	record Answer(String service, boolean ok, Integer status, Double latencyMs, JsonNode body, String error) {

		static Answer failed(String service, Double latencyMs, String error) {
			return new Answer(service, false, null, latencyMs, null, error);
		}

	}

}
