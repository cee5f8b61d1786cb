package io.tierflow.tenant.tenant;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.web.NotFoundException;
import io.tierflow.tenancy.web.Page;
import io.tierflow.tenant.audit.AuditActions;
import io.tierflow.tenant.audit.Audited;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Tenants: created and governed by system admins ({@code tenants:admin}); a tenant's own
 * users may read it ({@code tenants:read}).
 */
@RestController
@RequestMapping("/api/v1/tenants")
class TenantController {

	private final TenantRegistry registry;

	private final TenantOffboarding offboarding;

	TenantController(TenantRegistry registry, TenantOffboarding offboarding) {
		this.registry = registry;
		this.offboarding = offboarding;
	}

	@PostMapping
	@PreAuthorize("hasAuthority('tenants:admin')")
	@Audited(action = AuditActions.TENANT_CREATE, target = "tenant")
	ResponseEntity<Tenant> create(@Valid @RequestBody NewTenant body) {
		Tenant tenant = this.registry.create(body.name(), body.slug(), body.plan(), body.region());
		return ResponseEntity.created(URI.create("/api/v1/tenants/" + tenant.id())).body(tenant);
	}

	@GetMapping("/{id}")
	@PreAuthorize("hasAuthority('tenants:read')")
	Tenant get(@PathVariable UUID id, Authentication auth) {
		requireVisible(id, auth);
		return this.registry.get(id);
	}

	/**
	 * The tenants, oldest first, a page at a time; optionally only those whose name
	 * contains {@code q} or whose slug starts with it (case-insensitive), in a status, a
	 * tier or a region.
	 */
	@GetMapping
	@PreAuthorize("hasAuthority('tenants:admin')")
	Page<Tenant> list(@RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(200) int size,
			@RequestParam(required = false) @Size(max = 100) String q,
			@RequestParam(required = false) TenantStatus status,
			@RequestParam(required = false) io.tierflow.tenancy.placement.Tier tier,
			@RequestParam(required = false) @Pattern(regexp = "[a-z0-9-]{1,32}",
					message = "must be 1-32 lower-case letters, digits or dashes") String region) {
		TenantRepository.Filter filter = new TenantRepository.Filter((q != null && !q.isBlank()) ? q.strip() : null,
				status, tier, region);
		return new Page<>(this.registry.page(filter, page, size), page, size);
	}

	@PostMapping("/{id}/suspend")
	@PreAuthorize("hasAuthority('tenants:admin')")
	@Audited(action = AuditActions.TENANT_SUSPEND, target = "tenant", targetId = "id", tenant = "id")
	Tenant suspend(@PathVariable UUID id, @Valid @RequestBody(required = false) Suspension body) {
		return this.registry.suspend(id, (body != null) ? body.reason() : null);
	}

	@PostMapping("/{id}/reactivate")
	@PreAuthorize("hasAuthority('tenants:admin')")
	@Audited(action = AuditActions.TENANT_REACTIVATE, target = "tenant", targetId = "id", tenant = "id")
	Tenant reactivate(@PathVariable UUID id) {
		return this.registry.reactivate(id);
	}

	/**
	 * Provisions a FAILED tenant again (409 otherwise): 202 while the services place it,
	 * 200 when every service had placed it already.
	 */
	@PostMapping("/{id}/retry-provisioning")
	@PreAuthorize("hasAuthority('tenants:admin')")
	@Audited(action = AuditActions.TENANT_RETRY_PROVISIONING, target = "tenant", targetId = "id", tenant = "id")
	ResponseEntity<Tenant> retryProvisioning(@PathVariable UUID id) {
		Tenant tenant = this.registry.retryProvisioning(id);
		return (tenant.status() == TenantStatus.PROVISIONING) ? ResponseEntity.accepted().body(tenant)
				: ResponseEntity.ok(tenant);
	}

	/**
	 * 202 while the services move the tenant; 200 when nothing had to move (a plan of the
	 * same tier).
	 */
	@PostMapping("/{id}/tier-change")
	@PreAuthorize("hasAuthority('tenants:admin')")
	@Audited(action = AuditActions.TENANT_CHANGE_TIER, target = "tier_change", tenant = "id")
	ResponseEntity<Tenant> changeTier(@PathVariable UUID id, @Valid @RequestBody TierChangeRequest body,
			Authentication auth) {
		Tenant tenant = this.registry.requestTierChange(id, body.plan(), auth.getName());
		return (tenant.pendingTierChange() != null) ? ResponseEntity.accepted().body(tenant)
				: ResponseEntity.ok(tenant);
	}

	@PostMapping("/{id}/rebalance")
	@PreAuthorize("hasAuthority('tenants:admin')")
	@Audited(action = AuditActions.TENANT_REBALANCE, target = "tier_change", tenant = "id")
	ResponseEntity<Tenant> rebalance(@PathVariable UUID id, @Valid @RequestBody(required = false) Rebalance body,
			Authentication auth) {
		return ResponseEntity.accepted()
			.body(this.registry.requestRebalance(id, (body != null) ? body.services() : null, auth.getName()));
	}

	@GetMapping("/{id}/tier-changes")
	@PreAuthorize("hasAuthority('tenants:read')")
	Page<TierChange> tierChanges(@PathVariable UUID id, @RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(200) int size, Authentication auth) {
		requireVisible(id, auth);
		return new Page<>(this.registry.tierChanges(id, page, size), page, size);
	}

	/**
	 * Deletes the tenant: PENDING_ERASE until the grace period ends, then erased in every
	 * service; {@code immediate} skips the grace period (a request to be forgotten).
	 */
	@DeleteMapping("/{id}")
	@PreAuthorize("hasAuthority('tenants:admin')")
	@Audited(action = AuditActions.TENANT_DELETE, target = "tenant", targetId = "id", tenant = "id")
	ResponseEntity<Tenant> delete(@PathVariable UUID id, @RequestParam(defaultValue = "false") boolean immediate) {
		return ResponseEntity.accepted().body(this.offboarding.requestDeletion(id, immediate));
	}

	@PostMapping("/{id}/restore-deletion")
	@PreAuthorize("hasAuthority('tenants:admin')")
	@Audited(action = AuditActions.TENANT_RESTORE_DELETION, target = "tenant", targetId = "id", tenant = "id")
	Tenant restoreDeletion(@PathVariable UUID id) {
		return this.offboarding.restoreDeletion(id);
	}

	/** What was erased of a deleted tenant, per service: its erase certificate. */
	@GetMapping("/{id}/erasure")
	@PreAuthorize("hasAuthority('tenants:admin')")
	ErasureCertificate erasure(@PathVariable UUID id) {
		return this.offboarding.certificate(id);
	}

	@ExceptionHandler(UnknownServiceException.class)
	ProblemDetail unknownService(UnknownServiceException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
		problem.setTitle("Unknown service");
		problem.setProperty("service", ex.service());
		return problem;
	}

	/**
	 * A tenant's own token sees its tenant; any other tenant's id is not found, never
	 * forbidden.
	 */
	static void requireVisible(UUID id, Authentication auth) {
		boolean admin = auth.getAuthorities().stream().anyMatch((a) -> a.getAuthority().equals("ROLE_SYSTEM_ADMIN"));
		if (!admin && !TenantContext.current().map(id::equals).orElse(false)) {
			throw new NotFoundException("No tenant " + id);
		}
	}

	record NewTenant(@NotBlank @Size(max = 200) String name,
			@NotBlank @Pattern(regexp = "[a-z0-9][a-z0-9-]{1,62}",
					message = "must be 2-63 lower-case letters, digits or dashes") String slug,
			@NotNull Plan plan,
			@NotBlank @Pattern(regexp = "[a-z]{2,16}", message = "must be a region name like eu or us") String region) {
	}

	record Suspension(@Size(max = 500) String reason) {
	}

	record TierChangeRequest(@NotNull Plan plan) {
	}

	/**
	 * @param services the services to rebalance in; absent means every one
	 */
	record Rebalance(@Size(min = 1, message = "must name at least one service") List<@NotBlank String> services) {
	}

}
