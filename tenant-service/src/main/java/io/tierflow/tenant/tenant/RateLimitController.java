package io.tierflow.tenant.tenant;

import java.util.UUID;

import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.web.NotFoundException;
import io.tierflow.tenant.audit.AuditActions;
import io.tierflow.tenant.audit.Audited;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A tenant's own gateway rate limit: system admins set it ({@code PUT}) or remove it
 * ({@code DELETE}, back to the tier's); the tenant's users may read it. It reaches the
 * gateway in the tenant's next tokens.
 */
@RestController
@RequestMapping("/api/v1/tenants/{id}/rate-limit")
class RateLimitController {

	/** The most any tenant may be given: far beyond what one gateway instance serves. */
	static final long MAX_PER_SECOND = 100_000;

	private final RateLimitOverrides overrides;

	RateLimitController(RateLimitOverrides overrides) {
		this.overrides = overrides;
	}

	/** The tenant's own limit; 404 when its tier's applies. */
	@GetMapping
	@PreAuthorize("hasAuthority('tenants:read')")
	RateLimitOverrides.RateLimit get(@PathVariable UUID id, Authentication auth) {
		boolean systemAdmin = auth.getAuthorities()
			.stream()
			.anyMatch((a) -> a.getAuthority().equals("ROLE_SYSTEM_ADMIN"));
		if (!systemAdmin && !TenantContext.current().map(id::equals).orElse(false)) {
			throw new NotFoundException("No tenant " + id);
		}
		return this.overrides.of(id)
			.orElseThrow(() -> new NotFoundException("Tenant " + id + " has its tier's rate limit"));
	}

	@PutMapping
	@PreAuthorize("hasAuthority('tenants:admin')")
	@Audited(action = AuditActions.TENANT_CHANGE_RATE_LIMIT, target = "tenant", targetId = "id", tenant = "id")
	RateLimitOverrides.RateLimit set(@PathVariable UUID id, @Valid @RequestBody NewRateLimit body) {
		RateLimitOverrides.RateLimit limit = new RateLimitOverrides.RateLimit(body.requestsPerSecond(), body.burst());
		this.overrides.set(id, limit);
		return limit;
	}

	@DeleteMapping
	@PreAuthorize("hasAuthority('tenants:admin')")
	@Audited(action = AuditActions.TENANT_CHANGE_RATE_LIMIT, target = "tenant", targetId = "id", tenant = "id")
	ResponseEntity<Void> remove(@PathVariable UUID id) {
		this.overrides.set(id, null);
		return ResponseEntity.noContent().build();
	}

	record NewRateLimit(@NotNull @Min(1) @Max(MAX_PER_SECOND) Long requestsPerSecond,
			@NotNull @Min(1) @Max(10 * MAX_PER_SECOND) Long burst) {
	}

}
