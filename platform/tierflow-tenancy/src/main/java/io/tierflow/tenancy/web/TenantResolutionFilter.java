package io.tierflow.tenancy.web;

import java.io.IOException;
import java.util.UUID;

import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.security.TierflowSecurityProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Binds the request's tenant from the verified token. A tenant header is honoured only
 * when it names the token's own tenant, or when the token belongs to a system admin;
 * anything else is a 403. The binding is removed when the request ends, whatever happens.
 */
public class TenantResolutionFilter extends OncePerRequestFilter {

	private final TierflowSecurityProperties properties;

	public TenantResolutionFilter(TierflowSecurityProperties properties) {
		this.properties = properties;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Authentication auth = SecurityContextHolder.getContext().getAuthentication();
		if (!(auth instanceof JwtAuthenticationToken jwt)) {
			chain.doFilter(request, response);
			return;
		}
		UUID tokenTenant;
		try {
			String claim = jwt.getToken().getClaimAsString(this.properties.tenantClaim());
			tokenTenant = (claim != null) ? UUID.fromString(claim) : null;
		}
		catch (IllegalArgumentException ex) {
			Problems.write(request, response, HttpStatus.UNAUTHORIZED, "Invalid token",
					"The token's " + this.properties.tenantClaim() + " claim is not a tenant id");
			return;
		}
		UUID tenant = tokenTenant;
		String header = request.getHeader(this.properties.tenantHeader());
		if (header != null && !header.isBlank()) {
			UUID requested;
			try {
				requested = UUID.fromString(header.trim());
			}
			catch (IllegalArgumentException ex) {
				Problems.write(request, response, HttpStatus.BAD_REQUEST, "Invalid tenant header",
						this.properties.tenantHeader() + " must be a tenant id (UUID)");
				return;
			}
			boolean systemAdmin = jwt.getAuthorities()
				.stream()
				.anyMatch((a) -> a.getAuthority().equals("ROLE_" + TierflowSecurityProperties.SYSTEM_ADMIN));
			if (!requested.equals(tokenTenant) && !systemAdmin) {
				Problems.write(request, response, HttpStatus.FORBIDDEN, "Tenant not allowed",
						"The token does not grant access to tenant " + requested);
				return;
			}
			tenant = requested;
		}
		if (tenant == null) {
			chain.doFilter(request, response);
			return;
		}
		// No tenant tag on request metrics: a tenant id is an unbounded label, and any
		// reader of the metrics would see every tenant's id. Per-tenant figures come from
		// the services' APIs.
		try (TenantContext.Scope scope = TenantContext.open(tenant)) {
			chain.doFilter(request, response);
		}
	}

}
