package io.tierflow.tenant.tenant;

import java.io.IOException;
import java.util.UUID;

import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.web.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Refuses the requests of a deleted tenant's users (403 problem+json, "Tenant deleted")
 * from the moment of the deletion, as the tenant-data services do. System admins pass:
 * they govern the tenant, read its tombstone and erasure, and may restore it. Costs one
 * primary-key read per request that acts for a tenant.
 */
class DeletedTenantTokens implements HandlerInterceptor {

	private final TenantRepository tenants;

	DeletedTenantTokens(TenantRepository tenants) {
		this.tenants = tenants;
	}

	@Override
	public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
			throws IOException {
		UUID tenant = TenantContext.current().orElse(null);
		if (tenant == null || systemAdmin()) {
			return true;
		}
		TenantStatus status = this.tenants.status(tenant).orElse(null);
		if (status == null || !status.isOffboarding()) {
			return true;
		}
		Problems.write(request, response, HttpStatus.FORBIDDEN, "Tenant deleted",
				"Tenant " + tenant + " has been deleted (" + status + "); its tokens are no longer accepted");
		return false;
	}

	private static boolean systemAdmin() {
		Authentication auth = SecurityContextHolder.getContext().getAuthentication();
		return auth != null
				&& auth.getAuthorities().stream().anyMatch((a) -> a.getAuthority().equals("ROLE_SYSTEM_ADMIN"));
	}

}
