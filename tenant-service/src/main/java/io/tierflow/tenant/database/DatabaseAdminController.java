package io.tierflow.tenant.database;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierflow.tenancy.admin.ProcessFigures;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.web.NotFoundException;
import io.tierflow.tenancy.web.TenantRequests;
import io.tierflow.tenant.audit.AuditActions;
import io.tierflow.tenant.audit.Audited;
import io.tierflow.tenant.database.OwnTenantData.Counted;
import io.tierflow.tenant.database.ServiceCalls.Answer;
import io.tierflow.tenant.tenant.Tenant;
import io.tierflow.tenant.tenant.TenantRegistry;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpMethod;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The admin and database APIs across the services: each tenant-data service answers for
 * its own data and clusters ({@code /api/v1/admin/...} there too); this controller asks
 * them all at once with the caller's token and adds tenant-service's own part. A service
 * that does not answer is an entry with its error, never a failed answer.
 *
 * <p>
 * Who sees what: a tenant's usage, the services' health and metrics, and migrations are
 * for system admins. Service status and metrics describe the whole platform (clusters,
 * their capacity, every tenant's load), so they are not shown to a tenant's admins, even
 * though the SelfMonitor plan let organisation admins see them. A tenant's own placement
 * and a user's own data summary are for anyone of the tenant; another user's summary
 * needs {@code users:manage}.
 */
@RestController
@RequestMapping("/api/v1/admin")
class DatabaseAdminController {

	private final ServiceCalls services;

	private final OwnTenantData own;

	private final TenantRegistry tenants;

	private final TenantRequests requests;

	private final JdbcClient jdbc;

	private final ObjectProvider<MeterRegistry> meters;

	private final JsonMapper json;

	DatabaseAdminController(ServiceCalls services, OwnTenantData own, TenantRegistry tenants, TenantRequests requests,
			JdbcClient jdbc, ObjectProvider<MeterRegistry> meters, JsonMapper json) {
		this.services = services;
		this.own = own;
		this.tenants = tenants;
		this.requests = requests;
		this.jdbc = jdbc;
		this.meters = meters;
		this.json = json;
	}

	/**
	 * Rows, bytes and requests of a tenant in every service; 404 for an unknown tenant.
	 */
	@GetMapping("/tenants/{id}/usage")
	@PreAuthorize("hasAuthority('tenants:admin')")
	Usage usage(@PathVariable UUID id) {
		this.tenants.get(id);
		List<ServiceUsage> usages = new ArrayList<>();
		Counted counted = this.own.usage(id);
		usages.add(new ServiceUsage("tenant", true, 200, null, counted.rows(), counted.bytes(), this.requests.count(id),
				counted.tables(), null));
		for (Answer answer : this.services.ask(HttpMethod.GET, "/api/v1/admin/tenants/" + id + "/usage", null)) {
			JsonNode body = answer.body();
			usages.add(answer.ok()
					? new ServiceUsage(answer.service(), true, answer.status(), answer.latencyMs(),
							body.path("rows").asLong(), body.path("bytes").asLong(),
							body.path("requests").path("count").asLong(), body.get("tables"), null)
					: new ServiceUsage(answer.service(), false, answer.status(), answer.latencyMs(), null, null, null,
							null, answer.error()));
		}
		long rows = usages.stream().filter(ServiceUsage::ok).mapToLong(ServiceUsage::rows).sum();
		long bytes = usages.stream().filter(ServiceUsage::ok).mapToLong(ServiceUsage::bytes).sum();
		long requests = usages.stream().filter(ServiceUsage::ok).mapToLong(ServiceUsage::requests).sum();
		return new Usage(id, rows, bytes, requests, usages.stream().allMatch(ServiceUsage::ok), usages, Instant.now());
	}

	/** The caller's tenant, with its placement in every service. */
	@GetMapping("/database/tenant-info")
	@PreAuthorize("hasAuthority('tenants:read')")
	TenantInfo tenantInfo() {
		Tenant tenant = this.tenants.get(TenantContext.require());
		return new TenantInfo(tenant, this.services.ask(HttpMethod.GET, "/api/v1/admin/database/tenant-info", null));
	}

	/**
	 * Every service's clusters: reachable, latency, placements against capacity, pools.
	 */
	@GetMapping("/database/services")
	@PreAuthorize("hasAuthority('tenants:admin')")
	Services services() {
		return new Services(status(), Instant.now());
	}

	/** Up, degraded or down, per service, with each cluster's reachability. */
	@GetMapping("/database/health")
	@PreAuthorize("hasAuthority('tenants:admin')")
	Health health() {
		List<ServiceHealth> services = new ArrayList<>();
		long start = System.nanoTime();
		String own;
		try {
			this.jdbc.sql("select 1").query(Integer.class).single();
			own = "UP";
		}
		catch (RuntimeException ex) {
			own = "DOWN";
		}
		services.add(new ServiceHealth("tenant", own, (System.nanoTime() - start) / 1_000_000.0, null, null));
		for (Answer answer : status()) {
			services.add(answer.ok()
					? new ServiceHealth(answer.service(), answer.body().path("status").asString("UP"),
							answer.latencyMs(), answer.body().get("clusters"), null)
					: new ServiceHealth(answer.service(), "DOWN", answer.latencyMs(), null, answer.error()));
		}
		boolean up = services.stream().allMatch((s) -> s.status().equals("UP"));
		return new Health(up ? "UP" : "DEGRADED", services, Instant.now());
	}

	/**
	 * Each service's figures: per cluster placements, capacity, connections, storage and
	 * statements' p95; the event plane's backlog, lag, parked and dead-lettered events;
	 * and each answering instance's requests, CPU, heap and connections (tenant-service's
	 * own first), which the console charts as KPIs.
	 */
	@GetMapping("/database/metrics")
	@PreAuthorize("hasAuthority('tenants:admin')")
	Metrics metrics() {
		List<ServiceMetrics> services = new ArrayList<>();
		MeterRegistry registry = this.meters.getIfAvailable();
		services.add(new ServiceMetrics("tenant", true, null, null, null,
				(registry != null) ? this.json.valueToTree(ProcessFigures.of(registry)) : null, null));
		for (Answer answer : status()) {
			services.add(answer.ok()
					? new ServiceMetrics(answer.service(), true, answer.body().get("clusters"),
							answer.body().get("events"), answer.body().path("openDatabasePools").asInt(),
							answer.body().get("process"), null)
					: new ServiceMetrics(answer.service(), false, null, null, null, null, answer.error()));
		}
		return new Metrics(services, Instant.now());
	}

	/**
	 * A user's data in every service: the caller's own, or with {@code users:manage}
	 * another user's of the caller's tenant.
	 */
	@GetMapping("/database/user-data-summary")
	@PreAuthorize("hasAuthority('tenants:read')")
	UserSummary userDataSummary(@RequestParam(required = false) @Size(min = 1, max = 200) String userId,
			Authentication auth) {
		UUID tenant = TenantContext.require();
		String user = user(userId, auth);
		Counted own = this.own.userData(tenant, user);
		String path = UriComponentsBuilder.fromPath("/api/v1/admin/database/user-data-summary")
			.queryParam("userId", user)
			.encode()
			.toUriString();
		List<Answer> services = this.services.ask(HttpMethod.GET, path, null);
		long rows = own.rows()
				+ services.stream().filter(Answer::ok).mapToLong((a) -> a.body().path("rows").asLong()).sum();
		return new UserSummary(tenant, user, rows, own.tables(), services);
	}

	/**
	 * Runs the tenant-schema migrations of every store of one service, or of every
	 * service; each answers with its stores' counts.
	 */
	@PostMapping("/database/migrate")
	@PreAuthorize("hasAuthority('database:migrate')")
	@Audited(action = AuditActions.DATABASE_MIGRATE, target = "database")
	Migrations migrate(@RequestParam(required = false) @Pattern(regexp = "simulation|file|billing|analytics",
			message = "must be one of simulation, file, billing, analytics") String service) {
		return new Migrations(this.services.ask(HttpMethod.POST, "/api/v1/admin/database/migrate",
				(service != null) ? List.of(service) : null), Instant.now());
	}

	private List<Answer> status() {
		return this.services.ask(HttpMethod.GET, "/api/v1/admin/database/status", null);
	}

	private static String user(String userId, Authentication auth) {
		if (userId == null || userId.equals(auth.getName())) {
			return auth.getName();
		}
		if (auth.getAuthorities().stream().noneMatch((a) -> a.getAuthority().equals("users:manage"))) {
			throw new NotFoundException("No user " + userId);
		}
		return userId;
	}

	/**
	 * A tenant's usage across the services.
	 *
	 * @param complete whether every service answered
	 */
	record Usage(UUID tenantId, long rows, long bytes, long requests, boolean complete, List<ServiceUsage> services,
			Instant at) {
	}

	/**
	 * One service's part of a tenant's usage, or its error.
	 *
	 * @param requests requests counted by the instance that answered, since it started
	 */
	record ServiceUsage(String service, boolean ok, Integer status, Double latencyMs, Long rows, Long bytes,
			Long requests, Object tables, String error) {
	}

	record TenantInfo(Tenant tenant, List<Answer> services) {
	}

	record Services(List<Answer> services, Instant at) {
	}

	record Health(String status, List<ServiceHealth> services, Instant at) {
	}

	/**
	 * @param status UP, DEGRADED (a cluster does not answer) or DOWN
	 */
	record ServiceHealth(String service, String status, Double latencyMs, JsonNode clusters, String error) {
	}

	record Metrics(List<ServiceMetrics> services, Instant at) {
	}

	record ServiceMetrics(String service, boolean ok, JsonNode clusters, JsonNode events, Integer openDatabasePools,
			JsonNode process, String error) {
	}

	/**
	 * @param tables tenant-service's own rows about the user
	 */
	record UserSummary(UUID tenantId, String userId, long rows, List<?> tables, List<Answer> services) {
	}

	record Migrations(List<Answer> services, Instant at) {
	}

}
