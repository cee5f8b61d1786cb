package io.tierflow.tenant;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.tenant.TenantProvisioned;
import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.ApiClient.Response;
import io.tierflow.servicetest.PermissionMatrix;
import io.tierflow.servicetest.PermissionMatrix.Body;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.TestEvents;
import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.security.RolePermissions;
import io.tierflow.tenancy.security.TokenIssuer;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every endpoint of the tenant-service's OpenAPI description, called as every role,
 * answers as the README's Permissions table says. Each endpoint gets a tenant of its own,
 * ACTIVE: a system admin suspending or deleting it changes nothing for the next.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PermissionMatrixIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final List<String> SERVICES = List.of("simulation", "file", "billing", "analytics");

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		PostgresServer pg = TestPostgres.get();
		pg.dropDatabase("tenantpermit");
		pg.createDatabase("tenantpermit");
		registry.add("spring.datasource.url", () -> pg.jdbcUrl("tenantpermit"));
		registry.add("spring.datasource.username", pg::adminUser);
		registry.add("spring.datasource.password", pg::adminPassword);
		ServiceTestInfrastructure.kafka(registry);
		registry.add("tierflow.tenants.archives", PermissionMatrixIT::archives);
	}

	@LocalServerPort
	int port;

	@Autowired
	TokenIssuer tokens;

	@Autowired
	RolePermissions permissions;

	@Test
	void everyEndpointAnswersEachRoleAsThePermissionsTableSays() {
		ApiClient api = new ApiClient(this.port);
		String operator = this.tokens.issue("operator", null, List.of("SYSTEM_ADMIN"), Duration.ofMinutes(30));

		PermissionMatrix.of("tenant-service", this.port)
			.tenant(() -> activeTenant(api, operator))
			.tenantPerOperation()
			.tokens((tenant, role) -> this.tokens.issue("matrix-" + role, tenant, List.of(role),
					Duration.ofMinutes(10)))
			.permissions(this.permissions)
			// A region the test's clusters serve, so that the system admin's tenant is
			// created.
			.body("POST /api/v1/tenants", () -> Body.json(newTenant()))
			// An import of an export that does not exist: 404 once permitted.
			.body("POST /api/v1/tenants/imports",
					() -> Body.json(newTenant().replaceFirst("\\{", "{\"exportId\":\"" + UUID.randomUUID() + "\",")))
			.verify();
	}

	/** A new tenant, placed by every service. */
	private UUID activeTenant(ApiClient api, String operator) {
		Response created = api.post("/api/v1/tenants", operator, newTenant());
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		UUID tenant = UUID.fromString(JSON.readTree(created.body()).get("id").asString());
		for (String service : SERVICES) {
			TestEvents.publish(Topics.TENANT_REPLIES, EventTypes.TENANT_PROVISIONED, tenant,
					service + "-" + tenant + "-ready", new TenantProvisioned(tenant, service, TenantProvisioned.READY,
							Tier.SHARED, IsolationMode.SCHEMA, "shared-eu", "db", "s", 1, null));
		}
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(api.get("/api/v1/tenants/" + tenant, operator).body())
				.contains("\"status\":\"ACTIVE\""));
		return tenant;
	}

	private static String newTenant() {
		String slug = "matrix-" + UUID.randomUUID().toString().substring(0, 8);
		return "{\"name\":\"Tenant " + slug + "\",\"slug\":\"" + slug + "\",\"plan\":\"STANDARD\",\"region\":\"eu\"}";
	}

	private static String archives() {
		try {
			return Files.createTempDirectory(Files.createDirectories(Path.of("target")), "permission-archives-")
				.toString();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
