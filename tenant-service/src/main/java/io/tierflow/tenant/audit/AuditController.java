package io.tierflow.tenant.audit;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;

import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The audit trail, newest first, for holders of {@code audit:read}: system admins read
 * every chain, anyone else only their tenant's, named by their token (a {@code tenantId}
 * that names another tenant is refused, 403). Verification needs {@code audit:verify}.
 */
@RestController
@RequestMapping("/api/v1/audit")
class AuditController {

	private final AuditLog log;

	private final AuditTrail trail;

	private final ChainVerifier verifier;

	AuditController(AuditLog log, AuditTrail trail, ChainVerifier verifier) {
		this.log = log;
		this.trail = trail;
		this.verifier = verifier;
	}

	/**
	 * @param tenantId the tenant whose trail to read (the nil UUID: platform actions); a
	 * tenant admin's is always their own
	 * @param from at or after (ISO-8601)
	 * @param to before (ISO-8601)
	 * @param cursor the {@code next} of the previous page
	 */
	@GetMapping
	@PreAuthorize("hasAuthority('audit:read')")
	AuditPage list(@RequestParam(required = false) UUID tenantId,
			@RequestParam(required = false) @Size(max = 100) String action,
			@RequestParam(required = false) @Size(max = 200) String subject,
			@RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) OffsetDateTime from,
			@RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) OffsetDateTime to,
			@RequestParam(required = false) UUID cursor,
			@RequestParam(defaultValue = "50") @Min(1) @Max(200) int limit) {
		UUID tenant = tenantId;
		if (!Actor.isSystemAdmin()) {
			UUID own = this.trail.actor().tenantId();
			if (own == null || (tenantId != null && !tenantId.equals(own))) {
				throw new AccessDeniedException("A tenant admin reads only their own tenant's trail");
			}
			tenant = own;
		}
		List<AuditRecord> items = this.log.page(new AuditQuery(tenant, action, subject, from, to, cursor), limit);
		return new AuditPage(items, (items.size() == limit) ? items.get(items.size() - 1).id() : null);
	}

	/**
	 * Recomputes the chains (one tenant's with {@code tenantId}) and names the first
	 * record that breaks each broken one.
	 */
	@GetMapping("/verify")
	@PreAuthorize("hasAuthority('audit:verify')")
	AuditVerification verify(@RequestParam(required = false) UUID tenantId) {
		return this.verifier.verify(tenantId);
	}

	/**
	 * @param next the cursor of the next page; null on the last
	 */
	record AuditPage(List<AuditRecord> items, UUID next) {
	}

}
