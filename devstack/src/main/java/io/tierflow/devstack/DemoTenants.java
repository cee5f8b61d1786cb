package io.tierflow.devstack;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

/**
 * One demo tenant per tier, created through tenant-service's public API like any client
 * would.
 */
final class DemoTenants {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private DemoTenants() {
	}

	static void create(String tenantService) throws Exception {
		HttpClient http = HttpClient.newHttpClient();
		String token = JSON
			.readTree(send(http, tenantService + "/api/v1/dev/tokens", null,
					"{\"subject\":\"devstack\",\"roles\":[\"SYSTEM_ADMIN\"]}"))
			.get("token")
			.asString();
		Map<String, String> demo = Map.of("demo-shared", "STANDARD", "demo-dedicated", "PROFESSIONAL",
				"demo-enterprise", "ENTERPRISE");
		for (Map.Entry<String, String> tenant : demo.entrySet()) {
			send(http, tenantService + "/api/v1/tenants", token, "{\"name\":\"" + tenant.getKey() + "\",\"slug\":\""
					+ tenant.getKey() + "\",\"plan\":\"" + tenant.getValue() + "\",\"region\":\"eu\"}");
		}
	}

	private static String send(HttpClient http, String url, String token, String json) throws Exception {
		HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json));
		if (token != null) {
			b.header("Authorization", "Bearer " + token);
		}
		// 409 means the demo tenant exists from an earlier run: fine.
		return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
	}

}
