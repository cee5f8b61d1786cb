package io.tierflow.servicetest.fuzz;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.tierflow.servicetest.ApiClient.Response;
import net.jqwik.api.Example;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How an endpoint that takes JSON refuses bodies it cannot take, each once a 500 or a
 * body read whole: over the size limit (a 413, whether the length is declared or the body
 * comes chunked), of a media range as its type (a 415, where Spring MVC failed), or a
 * form whose parameter name Spring Security's firewall refuses (a 400, where the
 * firewall's exception escaped inside Spring MVC). Every refusal is problem+json. A jqwik
 * test class runs these examples by implementing this interface and naming its endpoint.
 */
public interface BodyRefusalContract {

	/** The endpoint whose refusals are checked; called in each example. */
	JsonEndpoint refusingEndpoint();

	@Example
	default void aBodyOverTheLimitIsA413WhetherItsLengthIsDeclaredOrNot() {
		JsonEndpoint endpoint = refusingEndpoint();
		Response declared = endpoint.post(HttpRequest.BodyPublishers.ofString(endpoint.oversized()));
		assertThat(declared.status()).as(declared.body()).isEqualTo(413);
		assertThat(declared.isProblem()).as(declared.contentType()).isTrue();
		assertThat(declared.body()).contains("maxBodySize").contains(Long.toString(endpoint.limit()));

		Response chunked = endpoint.post(chunked(endpoint.oversized()));
		assertThat(chunked.status()).as(chunked.body()).isEqualTo(413);
		assertThat(chunked.body()).contains("maxBodySize");
		// Within the limit, a chunked body is read as any other.
		Response accepted = endpoint.post(chunked(endpoint.accepted()));
		assertThat(accepted.status()).as(accepted.body()).isEqualTo(201);
	}

	@Example
	default void aMediaRangeAsTheBodysTypeIsA415() {
		JsonEndpoint endpoint = refusingEndpoint();
		for (String range : List.of("application/*", "*/*")) {
			Response refused = endpoint.service()
				.api()
				.post(endpoint.path(), endpoint.token(), "{}", "Content-Type", range);
			assertThat(refused.status()).as(refused.body()).isEqualTo(415);
			assertThat(refused.isProblem()).isTrue();
		}
	}

	@Example
	default void aFormBodyWithAParameterNameTheFirewallRefusesIsA400() {
		JsonEndpoint endpoint = refusingEndpoint();
		// Read as a form, this JSON is one parameter name, with a BOM and a bell in it.
		Response refused = endpoint.service()
			.api()
			.post(endpoint.path(), endpoint.token(), "{\"name\": \"\ufeff\u0007\"}", "Content-Type",
					"application/x-www-form-urlencoded");
		assertThat(refused.status()).as(refused.body()).isEqualTo(400);
		assertThat(refused.isProblem()).isTrue();
		assertThat(refused.body()).contains("Request rejected");
	}

	private static HttpRequest.BodyPublisher chunked(String body) {
		// Of unknown length: sent chunked, without Content-Length.
		return HttpRequest.BodyPublishers
			.ofInputStream(() -> new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
	}

	/**
	 * An endpoint that creates something from a JSON body.
	 *
	 * @param service the service serving it
	 * @param path its path
	 * @param token a token that may post to it
	 * @param oversized a JSON body over the limit
	 * @param limit the body limit, in bytes
	 * @param accepted a JSON body within the limit that it creates something from
	 */
	record JsonEndpoint(ServiceUnderFuzz service, String path, String token, String oversized, long limit,
			String accepted) {

		Response post(HttpRequest.BodyPublisher body) {
			return this.service.send("POST", this.path, this.token, "application/json", body);
		}

	}

}
