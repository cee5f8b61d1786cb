package io.tierflow.simulation.model;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.UUID;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.stereotype.Component;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.server.ResponseStatusException;

/**
 * Reads a model definition from a file the tenant stored in file-service. The request
 * goes out with the caller's own bearer token, so file-service applies its own tenant
 * check: this service can read nothing the caller could not.
 */
@Component
class ModelFiles {

	/** A definition file larger than this is refused unread. */
	static final int MAX_BYTES = 1024 * 1024;

	private final RestClient files;

	private final JsonMapper json;

	ModelFiles(@Value("${tierflow.services.file-url:http://localhost:8082}") String fileServiceUrl, JsonMapper json) {
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
		JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(http);
		requests.setReadTimeout(Duration.ofSeconds(10));
		this.files = RestClient.builder().baseUrl(fileServiceUrl).requestFactory(requests).build();
		this.json = json;
	}

	/**
	 * The JSON in the file.
	 * @throws ResponseStatusException 404 when the caller has no such file, 422 when it
	 * is too large or not JSON, 503 when file-service cannot be reached
	 */
	JsonNode definition(UUID fileId) {
		if (!(SecurityContextHolder.getContext().getAuthentication() instanceof JwtAuthenticationToken caller)) {
			throw new ResponseStatusException(HttpStatus.UNAUTHORIZED, "A bearer token is required");
		}
		try {
			return this.files.get()
				.uri("/api/v1/files/{id}/content", fileId)
				.header(HttpHeaders.AUTHORIZATION, "Bearer " + caller.getToken().getTokenValue())
				.exchange((request, response) -> {
					if (response.getStatusCode().value() == 404) {
						throw new ResponseStatusException(HttpStatus.NOT_FOUND, "No file " + fileId);
					}
					if (!response.getStatusCode().is2xxSuccessful()) {
						throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
								"file-service answered " + response.getStatusCode().value() + " for file " + fileId);
					}
					long length = response.getHeaders().getContentLength();
					if (length > MAX_BYTES) {
						throw tooLarge(fileId);
					}
					return parse(fileId, response.getBody());
				});
		}
		catch (ResourceAccessException ex) {
			throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
					"file-service cannot be reached to read file " + fileId);
		}
	}

	private JsonNode parse(UUID fileId, InputStream body) throws IOException {
		byte[] bytes = body.readNBytes(MAX_BYTES + 1);
		if (bytes.length > MAX_BYTES) {
			throw tooLarge(fileId);
		}
		try {
			JsonNode definition = this.json.readTree(bytes);
			if (definition == null || !definition.isObject()) {
				throw new ResponseStatusException(HttpStatus.UNPROCESSABLE_CONTENT,
						"File " + fileId + " does not hold a JSON object (a model definition)");
			}
			return definition;
		}
		catch (JacksonException ex) {
			throw new ResponseStatusException(HttpStatus.UNPROCESSABLE_CONTENT,
					"File " + fileId + " is not JSON: " + ex.getOriginalMessage());
		}
	}

	private static ResponseStatusException tooLarge(UUID fileId) {
		return new ResponseStatusException(HttpStatus.UNPROCESSABLE_CONTENT,
				"File " + fileId + " is larger than " + MAX_BYTES + " bytes; a model definition must be smaller");
	}

}
