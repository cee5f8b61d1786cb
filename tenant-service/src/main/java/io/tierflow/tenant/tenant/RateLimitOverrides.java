package io.tierflow.tenant.tenant;

import java.util.Optional;
import java.util.UUID;

import io.tierflow.tenancy.web.NotFoundException;
import io.tierflow.tenant.audit.AuditActions;
import io.tierflow.tenant.audit.AuditTarget;
import io.tierflow.tenant.audit.AuditTrail;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * A tenant's own request rate at the gateway, over its tier's: kept on the tenant,
 * stamped into its tokens by the authorization server ({@code rate_limit}), so every
 * gateway instance applies it to the tenant's next tokens (within the access token
 * lifetime) with no configuration to roll out. Each change is audited.
 */
@Service
class RateLimitOverrides {

	private final JdbcClient jdbc;

	private final AuditTrail audit;

	RateLimitOverrides(JdbcClient jdbc, AuditTrail audit) {
		this.jdbc = jdbc;
		this.audit = audit;
	}

	/**
	 * @return the tenant's override; empty when its tier's limit applies
	 * @throws NotFoundException if there is no such tenant
	 */
	@Transactional(readOnly = true)
	Optional<RateLimit> of(UUID tenantId) {
		return this.jdbc.sql("select rate_limit_rps, rate_limit_burst from tenant where id = ?")
			.param(tenantId)
			.query((rs, i) -> Optional
				.ofNullable((rs.getObject(1) != null) ? new RateLimit(rs.getLong(1), rs.getLong(2)) : null))
			.optional()
			.orElseThrow(() -> new NotFoundException("No tenant " + tenantId));
	}

	/**
	 * Sets the tenant's limit, or removes it with null.
	 * @throws NotFoundException if there is no such tenant
	 */
	@Transactional
	void set(UUID tenantId, RateLimit limit) {
		int updated = this.jdbc
			.sql("update tenant set rate_limit_rps = ?, rate_limit_burst = ?, updated_at = now() where id = ?")
			.params((limit != null) ? limit.requestsPerSecond() : null, (limit != null) ? limit.burst() : null,
					tenantId)
			.update();
		if (updated == 0) {
			throw new NotFoundException("No tenant " + tenantId);
		}
		this.audit.record(AuditActions.TENANT_CHANGE_RATE_LIMIT, AuditTarget.tenant(tenantId), tenantId);
	}

	/**
	 * A sustained rate and a burst, as the gateway's token buckets take them.
	 *
	 * @param requestsPerSecond the sustained rate
	 * @param burst how many requests may come at once
	 */
	record RateLimit(long requestsPerSecond, long burst) {
	}

}
