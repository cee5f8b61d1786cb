package io.tierflow.tenancy.admin;

import java.util.List;
import java.util.UUID;

import io.tierflow.tenancy.autopilot.Autopilot;
import io.tierflow.tenancy.autopilot.AutopilotConflictException;
import io.tierflow.tenancy.autopilot.AutopilotNotFoundException;
import io.tierflow.tenancy.autopilot.PlacementPolicy;
import io.tierflow.tenancy.autopilot.TenantStatistics;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.web.BadRequestException;
import io.tierflow.tenancy.web.ConflictException;
import io.tierflow.tenancy.web.NotFoundException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The placement autopilot of this service ({@link Autopilot}): recommendations with the
 * figures behind them, approvals, the policy, overrides and the decisions made.
 */
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@RestController
@RequestMapping("/api/v1/admin/placement")
class PlacementAdminController {

	private final Autopilot autopilot;

	private final TenantStatistics statistics;

	PlacementAdminController(Autopilot autopilot, TenantStatistics statistics) {
		this.autopilot = autopilot;
		this.statistics = statistics;
	}

	/**
	 * Per tenant whose placement the policy would change (every tenant with figures when
	 * {@code all}): the target, why, and the numbers behind it.
	 */
	@GetMapping("/recommendations")
	@PreAuthorize("hasAuthority('tenants:admin')")
	List<Autopilot.Recommendation> recommendations(@RequestParam(defaultValue = "false") boolean all,
			@RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
		return this.autopilot.recommendations(all, limit);
	}

	@GetMapping("/recommendations/{tenantId}")
	@PreAuthorize("hasAuthority('tenants:admin')")
	Autopilot.Recommendation recommendation(@PathVariable UUID tenantId) {
		return this.autopilot.recommendation(tenantId)
			.orElseThrow(() -> new NotFoundException("Tenant " + tenantId + " has no ready placement here"));
	}

	/**
	 * Approves the move the policy recommends for the tenant; it starts as soon as the
	 * guardrails allow (202).
	 */
	@PostMapping("/recommendations/{tenantId}/approve")
	@PreAuthorize("hasAuthority('placement:manage')")
	ResponseEntity<Autopilot.Decision> approve(@PathVariable UUID tenantId, Authentication auth) {
		try {
			return ResponseEntity.status(HttpStatus.ACCEPTED).body(this.autopilot.approve(tenantId, auth.getName()));
		}
		catch (AutopilotNotFoundException ex) {
			throw new NotFoundException(ex.getMessage());
		}
		catch (AutopilotConflictException ex) {
			throw new ConflictException(ex.getMessage());
		}
	}

	/** The tenant's figures here: rows, bytes, write rate, p95. */
	@GetMapping("/statistics/{tenantId}")
	@PreAuthorize("hasAuthority('tenants:admin')")
	TenantStatistics.Stat statistics(@PathVariable UUID tenantId) {
		return this.statistics.find(tenantId)
			.orElseThrow(() -> new NotFoundException("No figures of tenant " + tenantId + " here yet"));
	}

	@GetMapping("/policy")
	@PreAuthorize("hasAuthority('tenants:admin')")
	PlacementPolicy policy() {
		return this.autopilot.policy();
	}

	/** Replaces the policy of every instance of the service. */
	@PutMapping("/policy")
	@PreAuthorize("hasAuthority('placement:manage')")
	PlacementPolicy setPolicy(@RequestBody @Valid PlacementPolicy policy, Authentication auth) {
		return this.autopilot.setPolicy(policy, auth.getName());
	}

	/** Pins the tenant to a tier (never below its plan), or freezes it where it is. */
	@PutMapping("/overrides/{tenantId}")
	@PreAuthorize("hasAuthority('placement:manage')")
	ResponseEntity<Void> override(@PathVariable UUID tenantId, @RequestBody @Valid OverrideRequest override,
			Authentication auth) {
		boolean freeze = Boolean.TRUE.equals(override.freeze());
		if (freeze == (override.pin() != null)) {
			throw new BadRequestException(
					"An override either pins the tenant to a tier or freezes it: give one of" + " pin and freeze=true");
		}
		if (this.autopilot.recommendation(tenantId).isEmpty()) {
			throw new NotFoundException("Tenant " + tenantId + " has no ready placement here");
		}
		this.autopilot.override(tenantId, override.pin(), freeze, override.reason(), auth.getName());
		return ResponseEntity.noContent().build();
	}

	@DeleteMapping("/overrides/{tenantId}")
	@PreAuthorize("hasAuthority('placement:manage')")
	ResponseEntity<Void> clearOverride(@PathVariable UUID tenantId) {
		if (!this.autopilot.clearOverride(tenantId)) {
			throw new NotFoundException("Tenant " + tenantId + " has no override");
		}
		return ResponseEntity.noContent().build();
	}

	/** The placement decisions, newest first: who, why, the figures, the move's end. */
	@GetMapping("/decisions")
	@PreAuthorize("hasAuthority('tenants:admin')")
	List<Autopilot.Decision> decisions(@RequestParam(required = false) UUID tenantId,
			@RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
		return this.autopilot.decisions(tenantId, limit);
	}

	/**
	 * @param pin the tier to keep the tenant at
	 * @param freeze whether the autopilot may not move it at all
	 */
	record OverrideRequest(Tier pin, Boolean freeze, @Size(max = 500) String reason) {
	}

}
