package io.tierflow.servicetest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A plain HTTP client for calling a running service the way any client would, raw bodies
 * in and out, so tests can send malformed input too.
 */
public class ApiClient {

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final String base;

	public ApiClient(int port) {
		this.base = "http://localhost:" + port;
	}

	public Response get(String path, String token, String... headers) {
		return send(builder(path, token, headers).GET().build());
	}

	public Response post(String path, String token, String json, String... headers) {
		return send(builder(path, token, headers).header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build());
	}

	public Response put(String path, String token, String json, String... headers) {
		return send(builder(path, token, headers).header("Content-Type", "application/json")
			.PUT(HttpRequest.BodyPublishers.ofString(json))
			.build());
	}

	public Response delete(String path, String token, String... headers) {
		return send(builder(path, token, headers).DELETE().build());
	}

	private HttpRequest.Builder builder(String path, String token, String... headers) {
		HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(this.base + path)).timeout(Duration.ofSeconds(30));
		if (token != null) {
			b.header("Authorization", "Bearer " + token);
		}
		for (int i = 0; i + 1 < headers.length; i += 2) {
			b.header(headers[i], headers[i + 1]);
		}
		return b;
	}

	private Response send(HttpRequest request) {
		try {
			HttpResponse<String> r = this.http.send(request, HttpResponse.BodyHandlers.ofString());
			return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** Status, content type and body of a response. */
	public record Response(int status, String contentType, String body) {

		public boolean isProblem() {
			return this.contentType.startsWith("application/problem+json");
		}

	}

}
