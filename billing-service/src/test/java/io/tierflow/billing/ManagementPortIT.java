package io.tierflow.billing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.ApiClient.Response;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.TestTokenDecoderConfiguration;
import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.tierflow.servicetest.ServiceTestInfrastructure.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The main port serves the probes only, to anyone and without details; the actuator,
 * health included, answers on the management port, to system admins only, and names no
 * tenant. The management port is a random one here, as the main port
 * ({@code MANAGEMENT_PORT} outside tests).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestTokenDecoderConfiguration.class)
@DirtiesContext // its Kafka consumers must not outlive the class and take other classes'
				// partitions
class ManagementPortIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		ServiceTestInfrastructure.tenantDataService(registry, "billing", "billmgmt");
	}

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Autowired
	TenantProvisioner provisioner;

	ApiClient api;

	ApiClient management;

	@BeforeEach
	void clients() {
		this.api = new ApiClient(this.port);
		this.management = new ApiClient(this.managementPort);
	}

	@Test
	void probesAnswerAnyoneOnTheMainPortWithoutDetails() {
		assertThat(this.managementPort).isNotEqualTo(this.port);
		for (String probe : List.of("/livez", "/readyz")) {
			Response response = this.api.get(probe, null);
			assertThat(response.status()).as(probe).isEqualTo(200);
			JsonNode body = JSON.readTree(response.body());
			assertThat(body.propertyNames()).as(response.body()).containsExactly("status");
			assertThat(body.get("status").asString()).isEqualTo("UP");
		}
	}

	@Test
	void theActuatorIsNotServedOnTheMainPortEvenToASystemAdmin() {
		String operator = ServiceTestInfrastructure.systemAdminToken();
		for (String path : List.of("/actuator", "/actuator/metrics", "/actuator/prometheus", "/actuator/health",
				"/actuator/info")) {
			assertThat(this.api.get(path, operator).status()).as(path).isEqualTo(404);
			assertThat(this.api.get(path, null).status()).as(path).isEqualTo(401);
		}
	}

	@Test
	void theManagementPortAnswersSystemAdminsOnly() {
		UUID tenant = provision(Tier.SHARED);
		for (String path : List.of("/actuator/metrics", "/actuator/prometheus", "/actuator/health", "/actuator/info")) {
			assertProblem(this.management.get(path, null), 401);
			assertProblem(this.management.get(path, token(tenant, "USER")), 403);
			assertProblem(this.management.get(path, token(tenant, "TENANT_ADMIN")), 403);
			Response allowed = this.management.get(path, ServiceTestInfrastructure.systemAdminToken());
			assertThat(allowed.status()).as(path + ": " + allowed.body()).isEqualTo(200);
		}
		// Health has no details on this port either (its components would name the
		// service's databases): its status and the names of its groups.
		JsonNode health = JSON
			.readTree(this.management.get("/actuator/health", ServiceTestInfrastructure.systemAdminToken()).body());
		assertThat(health.propertyNames()).containsOnly("status", "groups");
	}

	@Test
	void metricsNameNoTenantThatMadeRequests() {
		UUID shared = provision(Tier.SHARED);
		UUID enterprise = provision(Tier.ENTERPRISE);
		for (UUID tenant : List.of(shared, enterprise)) {
			UUID other = tenant.equals(shared) ? enterprise : shared;
			String user = token(tenant, "USER");
			String admin = token(tenant, "TENANT_ADMIN");
			assertThat(this.api.post("/api/v1/meters", admin, "{\"key\": \"cpu\", \"unit\": \"s\"}").status())
				.isEqualTo(201);
			this.api.get("/api/v1/meters", user);
			this.api.get("/api/v1/meters/" + tenant, user);
			this.api.get("/api/v1/invoices", user);
			this.api.get("/api/v1/usage/current", user);
			// Ids in unknown paths, in headers, and naming another tenant.
			this.api.get("/api/v1/" + tenant, user);
			this.api.get("/api/v1/meters", user, "X-Tenant-Id", other.toString());
			this.api.get("/api/v1/meters", ServiceTestInfrastructure.systemAdminToken(), "X-Tenant-Id",
					tenant.toString());
			// The per-tenant figures come from the admin API, not from the metrics.
			this.api.get("/api/v1/admin/tenants/" + tenant + "/usage", ServiceTestInfrastructure.systemAdminToken());
			this.api.get("/api/v1/admin/database/user-data-summary", user);
		}
		String operator = ServiceTestInfrastructure.systemAdminToken();
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(names(operator)).contains("http.server.requests"));
		List<String> bodies = new ArrayList<>();
		bodies.add(this.management.get("/actuator/metrics", operator).body());
		for (String name : names(operator)) {
			Response metric = this.management.get("/actuator/metrics/" + name, operator);
			assertThat(metric.status()).as(name).isEqualTo(200);
			bodies.add(metric.body());
		}
		bodies.add(this.management.get("/actuator/health", operator).body());
		bodies.add(this.management.get("/actuator/info", operator).body());
		Response prometheus = this.management.get("/actuator/prometheus", operator);
		assertThat(prometheus.status()).as(prometheus.body()).isEqualTo(200);
		bodies.add(prometheus.body());
		assertThat(bodies).hasSizeGreaterThan(10);
		List<String> names = tenantNames(shared, enterprise);
		for (String body : bodies) {
			for (String name : names) {
				assertThat(body).doesNotContain(name);
			}
		}
	}

	@Test
	void prometheusServesTheKpisByClusterAndTierNeverByTenant() {
		UUID shared = provision(Tier.SHARED);
		UUID enterprise = provision(Tier.ENTERPRISE);
		for (UUID tenant : List.of(shared, enterprise)) {
			this.api.get("/api/v1/meters", token(tenant, "USER"));
		}
		Response scrape = this.management.get("/actuator/prometheus", ServiceTestInfrastructure.systemAdminToken());
		assertThat(scrape.status()).as(scrape.body()).isEqualTo(200);
		assertThat(scrape.contentType()).startsWith("text/plain");
		String body = scrape.body();
		assertThat(body).contains("tenant_db_connections_active{cluster=\"enterprise-eu\",tier=\"enterprise\"}",
				"tenant_db_connections_active{cluster=\"shared-eu\",tier=\"shared\"}",
				"tenant_placements{cluster=\"shared-eu\",tier=\"shared\"}",
				"cluster_capacity{cluster=\"dedicated-eu\",tier=\"dedicated\"}");
		// The event plane: outbox backlog and relay lag, consumer lag (the binder's),
		// events parked until their tenant is ready.
		assertThat(body).contains("tierflow_outbox_backlog ", "tierflow_outbox_lag_seconds ",
				"tierflow_outbox_relayed_total ", "tierflow_events_parked{consumer=\"billing.usage\"}",
				"spring_cloud_stream_binder_kafka_offset{");
		// Hikari's metrics of every dynamic pool, the tenant database's among them: by
		// cluster, tier and slot.
		assertThat(body).contains("hikaricp_connections_active{pool=\"tierflow-shared-eu-shared-app\"}")
			.containsPattern("hikaricp_connections_active\\{pool=\"tierflow-enterprise-eu-enterprise-db\\d+-app\"\\}");
		// Statements on the tenant stores, as a histogram per service, cluster and tier;
		// the stores' size per cluster and tier, measured periodically.
		assertThat(body).containsPattern(
				"tierflow_db_query_seconds_bucket\\{cluster=\"shared-eu\",service=\"billing\",tier=\"shared\",le=\"[^\"]+\"\\} ")
			.containsPattern(
					"tierflow_db_query_seconds_count\\{cluster=\"enterprise-eu\",service=\"billing\",tier=\"enterprise\"\\} [1-9]")
			.contains("tierflow_storage_bytes{cluster=\"dedicated-eu\",tier=\"dedicated\"}");
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(
					this.management.get("/actuator/prometheus", ServiceTestInfrastructure.systemAdminToken()).body())
				.containsPattern("tierflow_storage_bytes\\{cluster=\"shared-eu\",tier=\"shared\"\\} [1-9]"));
		List<String> samples = body.lines().filter((line) -> !line.startsWith("#")).toList();
		assertThat(samples).isNotEmpty().noneMatch((line) -> line.matches(".*[{,]tenant[a-z_]*=.*"));
		for (String name : tenantNames(shared, enterprise)) {
			assertThat(body).doesNotContain(name);
		}
	}

	/**
	 * What would name a tenant in a metric: its id, with or without dashes, and the
	 * databases and schemas of its own (whose names carry its id).
	 */
	private List<String> tenantNames(UUID... tenants) {
		List<String> names = new ArrayList<>();
		for (UUID tenant : tenants) {
			names.add(tenant.toString());
			names.add(tenant.toString().replace("-", ""));
			TenantPlacement placement = this.provisioner.find(tenant).orElseThrow();
			switch (placement.isolation()) {
				case DATABASE -> names.add(placement.database());
				case SCHEMA -> names.add(placement.schema());
				default -> {
				}
			}
		}
		return names;
	}

	private List<String> names(String operator) {
		Response metrics = this.management.get("/actuator/metrics", operator);
		assertThat(metrics.status()).as(metrics.body()).isEqualTo(200);
		return JSON.readTree(metrics.body()).get("names").valueStream().map(JsonNode::asString).toList();
	}

	private UUID provision(Tier tier) {
		UUID tenant = UUID.randomUUID();
		assertThat(this.provisioner.provision(tenant, tier, "eu").state()).isEqualTo(PlacementState.READY);
		return tenant;
	}

	private static void assertProblem(Response response, int status) {
		assertThat(response.status()).as(response.body()).isEqualTo(status);
		assertThat(response.isProblem()).as(response.contentType()).isTrue();
	}

}
