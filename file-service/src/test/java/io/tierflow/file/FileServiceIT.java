package io.tierflow.file;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.tenant.TenantCreated;
import io.tierflow.events.tenant.TenantStatusChanged;
import io.tierflow.servicetest.ApiClient.Response;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.TestEvents;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.Tier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static io.tierflow.servicetest.ServiceTestInfrastructure.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class FileServiceIT extends RunningFileService {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String FOLDERS = "/api/v1/folders";

	@ParameterizedTest
	@EnumSource(Tier.class)
	void provisionsOnTenantCreatedAndRepliesOnceDespiteRedelivery(Tier tier) {
		UUID tenant = UUID.randomUUID();
		try (TestEvents.Reader replies = TestEvents.read(Topics.TENANT_REPLIES)) {
			TenantCreated created = new TenantCreated(tenant, "Acme", "acme-" + tenant, "PLAN", tier, "eu");
			String eventId = UUID.randomUUID().toString();
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_CREATED, tenant, eventId, created);
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_CREATED, tenant, eventId, created);

			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThat(replies.data(EventTypes.TENANT_PROVISIONED, tenant)).hasSize(1));
			JsonNode reply = replies.data(EventTypes.TENANT_PROVISIONED, tenant).get(0);
			assertThat(reply.get("service").asString()).isEqualTo("file");
			assertThat(reply.get("status").asString()).isEqualTo("READY");
			assertThat(reply.get("tier").asString()).isEqualTo(tier.name());
			assertThat(this.provisioner.find(tenant).orElseThrow().state()).isEqualTo(PlacementState.READY);
			String t = token(tenant, "USER");
			assertThat(this.api.post(FOLDERS, t, "{\"name\":\"first\"}").status()).isEqualTo(201);

			// Same key, same partition: once this later event is applied, both deliveries
			// of tenant.created have been handled, and their replies committed and
			// relayed.
			TestEvents.publish(Topics.TENANT, EventTypes.TENANT_SUSPENDED, tenant, UUID.randomUUID().toString(),
					new TenantStatusChanged(tenant, "SUSPENDED"));
			await().atMost(Duration.ofSeconds(30)).until(() -> this.provisioner.find(tenant).orElseThrow().suspended());
			await().during(Duration.ofMillis(500))
				.atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(replies.data(EventTypes.TENANT_PROVISIONED, tenant)).hasSize(1));
			assertProblem(this.api.get(FOLDERS, t), 403);
		}
	}

	@ParameterizedTest
	@EnumSource(Tier.class)
	void tenantTokenNeverReachesAnotherTenantsFolders(Tier tier) {
		UUID a = provision(tier);
		UUID b = provision(tier);
		String tokenA = token(a, "USER");
		String tokenB = token(b, "USER");
		String idOfB = idOf(this.api.post(FOLDERS, tokenB, "{\"name\":\"secret\"}"));

		// Path id of another tenant's folder: not found, never served.
		assertProblem(this.api.get(FOLDERS + "/" + idOfB, tokenA), 404);
		// Header naming another tenant: forbidden for a tenant user.
		assertProblem(this.api.get(FOLDERS + "/" + idOfB, tokenA, "X-Tenant-Id", b.toString()), 403);
		assertProblem(this.api.get(FOLDERS, tokenA, "X-Tenant-Id", b.toString()), 403);
		assertProblem(this.api.post(FOLDERS, tokenA, "{\"name\":\"via-header\"}", "X-Tenant-Id", b.toString()), 403);
		// Query parameters and body fields naming another tenant are ignored.
		Response listed = this.api.get(FOLDERS + "?tenantId=" + b + "&tenant_id=" + b, tokenA);
		assertThat(listed.status()).isEqualTo(200);
		assertThat(listed.body()).doesNotContain("secret");
		Response smuggled = this.api.post(FOLDERS + "?tenantId=" + b, tokenA,
				"{\"name\":\"mine\",\"tenantId\":\"" + b + "\",\"tenant_id\":\"" + b + "\"}");
		assertThat(smuggled.status()).isEqualTo(201);
		assertThat(this.api.get(FOLDERS + "/" + idOf(smuggled), tokenA).status()).isEqualTo(200);
		assertThat(this.api.get(FOLDERS + "/" + idOf(smuggled), tokenB).status()).isEqualTo(404);
		// Listings never show the other tenant's rows.
		assertThat(names(this.api.get(FOLDERS + "?size=200", tokenB))).containsExactly("secret");
		assertThat(names(this.api.get(FOLDERS + "?size=200", tokenA))).containsExactly("mine");
		// Unique names are per tenant: B's name is free for A.
		assertThat(this.api.post(FOLDERS, tokenA, "{\"name\":\"secret\"}").status()).isEqualTo(201);
	}

	@Test
	void createsReadsAndPagesFolders() {
		String t = token(provision(Tier.SHARED), "USER");
		Response created = this.api.post(FOLDERS, t, "{\"name\":\"reports\",\"description\":\"Quarterly\"}");
		assertThat(created.status()).isEqualTo(201);
		JsonNode folder = JSON.readTree(created.body());
		Response read = this.api.get(FOLDERS + "/" + folder.get("id").asString(), t);
		assertThat(read.status()).isEqualTo(200);
		assertThat(JSON.readTree(read.body())).isEqualTo(folder);
		assertThat(folder.get("name").asString()).isEqualTo("reports");
		assertThat(folder.get("description").asString()).isEqualTo("Quarterly");
		assertThat(folder.get("createdAt").isNull()).isFalse();
		this.api.post(FOLDERS, t, "{\"name\":\"archive\"}");
		this.api.post(FOLDERS, t, "{\"name\":\"" + "n".repeat(100) + "\"}");

		assertThat(names(this.api.get(FOLDERS + "?page=0&size=2", t))).containsExactly("reports", "archive");
		assertThat(names(this.api.get(FOLDERS + "?page=1&size=2", t))).containsExactly("n".repeat(100));
		assertThat(names(this.api.get(FOLDERS + "?page=2&size=2", t))).isEmpty();
		assertThat(names(this.api.get(FOLDERS + "?page=2147483647&size=200", t))).isEmpty();
	}

	@Test
	void systemAdminMaySelectATenantByHeader() {
		UUID a = provision(Tier.SHARED);
		this.api.post(FOLDERS, token(a, "USER"), "{\"name\":\"visible-to-ops\"}");
		Response r = this.api.get(FOLDERS, ServiceTestInfrastructure.systemAdminToken(), "X-Tenant-Id", a.toString());
		assertThat(r.status()).isEqualTo(200);
		assertThat(names(r)).containsExactly("visible-to-ops");
		// Without a header a system admin acts for no tenant.
		assertProblem(this.api.get(FOLDERS, ServiceTestInfrastructure.systemAdminToken()), 403);
	}

	@Test
	void publishesItsOpenApiDescription() {
		Response docs = this.api.get("/v3/api-docs", null);
		assertThat(docs.status()).isEqualTo(200);
		assertThat(docs.body()).contains(FOLDERS)
			.contains("/api/v1/files/{id}/content")
			.contains("multipart/form-data");
	}

	@Test
	void malformedInputIsAProblemNeverAServerError() {
		UUID a = provision(Tier.DEDICATED);
		String t = token(a, "USER");
		assertProblem(this.api.post(FOLDERS, t, "{not json"), 400);
		assertProblem(this.api.post(FOLDERS, t, ""), 400);
		assertProblem(this.api.post(FOLDERS, t, "null"), 400);
		assertProblem(this.api.post(FOLDERS, t, "[1,2]"), 400);
		assertProblem(this.api.post(FOLDERS, t, "{}"), 400);
		assertProblem(this.api.post(FOLDERS, t, "{\"name\":\"   \"}"), 400);
		assertProblem(this.api.post(FOLDERS, t, "{\"name\":{\"a\":1}}"), 400);
		assertProblem(this.api.post(FOLDERS, t, "{\"name\":\"" + "x".repeat(101) + "\"}"), 400);
		assertProblem(this.api.post(FOLDERS, t, "{\"name\":\"ok\",\"description\":\"" + "x".repeat(1001) + "\"}"), 400);
		assertProblem(this.api.post(FOLDERS, t, "{\"name\":\"nul\\u0000name\"}"), 400);
		assertProblem(this.api.post(FOLDERS, t, "{\"name\":\"ok\",\"description\":\"nul\\u0000\"}"), 400);
		assertProblem(this.api.put(FOLDERS, t, "{\"name\":\"ok\"}"), 405);
		assertProblem(this.api.get(FOLDERS + "/not-a-uuid", t), 400);
		assertProblem(this.api.get(FOLDERS + "/" + UUID.randomUUID(), t), 404);
		assertProblem(this.api.delete(FOLDERS + "/" + UUID.randomUUID(), t), 405);
		assertProblem(this.api.get(FOLDERS + "?page=-1", t), 400);
		assertProblem(this.api.get(FOLDERS + "?page=99999999999", t), 400);
		assertProblem(this.api.get(FOLDERS + "?size=0", t), 400);
		assertProblem(this.api.get(FOLDERS + "?size=201", t), 400);
		assertProblem(this.api.get(FOLDERS + "?size=abc", t), 400);
		assertProblem(this.api.get(FOLDERS, null), 401);
		assertProblem(this.api.get(FOLDERS, "garbage.token.value"), 401);
		assertProblem(this.api.get(FOLDERS, t, "X-Tenant-Id", "not-a-uuid"), 400);
		assertProblem(this.api.get(FOLDERS, token(UUID.randomUUID(), "USER")), 404);
		assertThat(this.api.post(FOLDERS, t, "{\"name\":\"dup\"}").status()).isEqualTo(201);
		assertProblem(this.api.post(FOLDERS, t, "{\"name\":\"dup\"}"), 409);
		// The conflict rolled back cleanly: the tenant's next write goes through.
		assertThat(this.api.post(FOLDERS, t, "{\"name\":\"after-dup\"}").status()).isEqualTo(201);
	}

	private static void assertProblem(Response response, int status) {
		assertThat(response.status()).as(response.body()).isEqualTo(status);
		assertThat(response.isProblem()).as(response.contentType()).isTrue();
	}

	private static String idOf(Response created) {
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return JSON.readTree(created.body()).get("id").asString();
	}

	private static List<String> names(Response page) {
		assertThat(page.status()).as(page.body()).isEqualTo(200);
		return JSON.readTree(page.body()).get("items").valueStream().map((f) -> f.get("name").asString()).toList();
	}

}
