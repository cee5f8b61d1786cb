package io.tierflow.tenant.identity;

import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Revokes what a user signed in to: their authorizations, with the refresh tokens in
 * them, so no new access token comes of them. Access tokens already issued run out within
 * {@code tierflow.identity.access-token-ttl}, since the services verify them without
 * asking anyone.
 */
@Component
public class UserTokens {

	private final JdbcClient jdbc;

	UserTokens(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Revokes every authorization of the user, in the caller's transaction (deleting the
	 * user, or setting their password).
	 * @return the authorizations revoked
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public int revokeAll(UUID tenantId, UUID userId) {
		return this.jdbc
			.sql("delete from oauth2_authorization where principal_name = (select t.slug || '/' || u.email"
					+ " from tenant_user u join tenant t on t.id = u.tenant_id where u.tenant_id = ? and u.id = ?)")
			.params(tenantId, userId)
			.update();
	}

}
