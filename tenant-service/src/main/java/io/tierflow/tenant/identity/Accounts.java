package io.tierflow.tenant.identity;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Who may sign in, and what their tokens say: a tenant's users (by the tenant's slug and
 * their e-mail address) and a tenant's machine clients, each with their tenant's status
 * and tier read at the moment a token is issued, so a suspended tenant or a changed role
 * shows in the next token.
 */
@Repository
class Accounts {

	/** The longest sign-in name read: a slug, a slash and an e-mail address. */
	static final int MAX_SIGN_IN_NAME = 64 + 1 + 254;

	private final JdbcClient jdbc;

	Accounts(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * A user's sign-in name: their tenant's slug and their e-mail address, {@code
	 * acme/ada@example.com}, since an address is unique only within a tenant.
	 */
	static String signInName(String slug, String email) {
		return slug + "/" + email;
	}

	Optional<UserAccount> user(String signInName) {
		int slash = (StorableLookups.storable(signInName) && signInName.length() <= MAX_SIGN_IN_NAME)
				? signInName.indexOf('/') : -1;
		if (slash < 1) {
			return Optional.empty();
		}
		return this.jdbc
			.sql("select u.id, u.tenant_id, t.slug, u.email, u.role, u.password_hash, t.status, t.tier,"
					+ " t.rate_limit_rps, t.rate_limit_burst"
					+ " from tenant_user u join tenant t on t.id = u.tenant_id where t.slug = ? and u.email = ?")
			.params(signInName.substring(0, slash), signInName.substring(slash + 1).toLowerCase(java.util.Locale.ROOT))
			.query((rs, i) -> new UserAccount(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
					rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
					rateLimit(rs, 9)))
			.optional();
	}

	Optional<ClientAccount> client(String clientId) {
		if (!StorableLookups.storable(clientId)) {
			return Optional.empty();
		}
		return this.jdbc
			.sql("select c.client_id, c.tenant_id, c.roles, t.status, t.tier, t.rate_limit_rps, t.rate_limit_burst"
					+ " from tenant_client c join tenant t on t.id = c.tenant_id where c.client_id = ?")
			.param(clientId)
			.query((rs, i) -> new ClientAccount(rs.getString(1), rs.getObject(2, UUID.class),
					List.of((String[]) rs.getArray(3).getArray()), rs.getString(4), rs.getString(5), rateLimit(rs, 6)))
			.optional();
	}

	private static RateLimit rateLimit(java.sql.ResultSet rs, int column) throws java.sql.SQLException {
		return (rs.getObject(column) != null) ? new RateLimit(rs.getLong(column), rs.getLong(column + 1)) : null;
	}

	/**
	 * A tenant's own gateway rate limit, over its tier's.
	 */
	record RateLimit(long requestsPerSecond, long burst) {
	}

	/**
	 * A tenant's user as sign-in sees them.
	 *
	 * @param passwordHash null until the user set a password
	 * @param status their tenant's status
	 * @param rateLimit their tenant's own rate limit; null for its tier's
	 */
	record UserAccount(UUID userId, UUID tenantId, String slug, String email, String role, String passwordHash,
			String status, String tier, RateLimit rateLimit) {

		String signInName() {
			return Accounts.signInName(this.slug, this.email);
		}

		/**
		 * Users of an active tenant may sign in; a suspended or deleted one's may not.
		 */
		boolean mayHaveTokens() {
			return "ACTIVE".equals(this.status);
		}

	}

	/** A tenant's machine client. */
	record ClientAccount(String clientId, UUID tenantId, List<String> roles, String status, String tier,
			RateLimit rateLimit) {

		boolean mayHaveTokens() {
			return "ACTIVE".equals(this.status);
		}

	}

}
