package io.tierflow.tenancy.admin;

import java.util.List;
import java.util.UUID;

import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.migration.MigrationReport;
import io.tierflow.tenancy.migration.PlacementMigrator;
import io.tierflow.tenancy.web.NotFoundException;
import jakarta.validation.constraints.Size;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The tenant-data service's part of the admin and database APIs, which tenant-service
 * aggregates: a tenant's usage, the clusters' health, a tenant's placement, a user's data
 * and a migration pass. Per-tenant figures are answered here, never put in metrics.
 *
 * <p>
 * Made by {@link TenantAdminAutoConfiguration}; the condition keeps an application that
 * scans the platform's packages without a web server (the tenancy tests) from making it.
 */
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@RestController
@RequestMapping("/api/v1/admin")
class TenantAdminController {

	private final StoreUsage usage;

	private final ClusterHealth health;

	private final PlacementMigrator migrator;

	private final String service;

	TenantAdminController(StoreUsage usage, ClusterHealth health, PlacementMigrator migrator, String service) {
		this.usage = usage;
		this.health = health;
		this.migrator = migrator;
		this.service = service;
	}

	/** Rows, bytes and requests of a tenant here; 404 for a tenant not placed here. */
	@GetMapping("/tenants/{id}/usage")
	@PreAuthorize("hasAuthority('tenants:admin')")
	StoreUsage.TenantUsage usage(@PathVariable UUID id) {
		return this.usage.usage(id);
	}

	/** The clusters' health and the event plane's figures of this instance. */
	@GetMapping("/database/status")
	@PreAuthorize("hasAuthority('tenants:admin')")
	ClusterHealth.Status status() {
		return this.health.status();
	}

	/** Where the caller's tenant is placed here. */
	@GetMapping("/database/tenant-info")
	@PreAuthorize("hasAuthority('tenants:read')")
	TenantInfo tenantInfo() {
		UUID tenant = TenantContext.require();
		return new TenantInfo(this.service, tenant, StoreUsage.Placed.of(this.usage.placement(tenant)));
	}

	/**
	 * The caller's rows here, or with {@code users:manage} another user's of the caller's
	 * tenant.
	 */
	@GetMapping("/database/user-data-summary")
	@PreAuthorize("hasAuthority('tenants:read')")
	StoreUsage.UserData userDataSummary(@RequestParam(required = false) @Size(min = 1, max = 200) String userId,
			Authentication auth) {
		return this.usage.userData(TenantContext.require(), user(userId, auth));
	}

	/**
	 * Runs the tenant-schema migrations on every store of the service behind the latest.
	 */
	@PostMapping("/database/migrate")
	@PreAuthorize("hasAuthority('database:migrate')")
	Migration migrate() {
		MigrationReport report = this.migrator.migrateAll();
		return new Migration(this.service, report.total(), report.migrated(), report.skipped(),
				report.failures().size(),
				report.failures()
					.stream()
					.map((f) -> new Failure(f.store().toString(), f.reason(), f.lockTimedOut()))
					.toList(),
				report.took().toMillis());
	}

	/**
	 * The user asked about: the caller, or another user for a caller who manages users.
	 * Another user is not found, never forbidden.
	 */
	static String user(String userId, Authentication auth) {
		if (userId == null || userId.equals(auth.getName())) {
			return auth.getName();
		}
		boolean manages = auth.getAuthorities().stream().anyMatch((a) -> a.getAuthority().equals("users:manage"));
		if (!manages) {
			throw new NotFoundException("No user " + userId);
		}
		return userId;
	}

	/** The caller's tenant's placement here. */
	record TenantInfo(String service, UUID tenantId, StoreUsage.Placed placement) {
	}

	/**
	 * A migration pass over the service's stores.
	 *
	 * @param total stores seen
	 * @param migrated stores brought to the latest version
	 * @param skipped stores already there
	 */
	record Migration(String service, int total, int migrated, int skipped, int failed, List<Failure> failures,
			long tookMs) {
	}

	/**
	 * @param busy whether the store's own transactions held a lock past the migration's
	 * lock timeout on every try: it serves at its version and the next pass tries it
	 */
	record Failure(String store, String reason, boolean busy) {
	}

}
