package io.tierflow.tenant.identity;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Sign-in at tenant-service, the platform's OAuth 2.1 authorization server.
 *
 * @param accessTokenTtl how long an access token lasts; the services cannot call a token
 * back, so revoking a user or a client takes effect within this time
 * @param refreshTokenTtl how long a refresh token lasts (they rotate on each use, and are
 * revoked when their user is deleted)
 * @param invitationTtl how long a new user's invitation to set a password lasts
 * @param resetTtl how long a password reset token lasts
 * @param maxClientsPerTenant how many machine clients one tenant may have
 * @param console the console's client: authorization code with PKCE, registered only when
 * it has a secret
 */
@ConfigurationProperties("tierflow.identity")
public record IdentityProperties(@DefaultValue("15m") Duration accessTokenTtl,
		@DefaultValue("8h") Duration refreshTokenTtl, @DefaultValue("72h") Duration invitationTtl,
		@DefaultValue("1h") Duration resetTtl, @DefaultValue("50") int maxClientsPerTenant,
		@DefaultValue Console console) {

	public IdentityProperties {
		requireBetween("access-token-ttl", accessTokenTtl, Duration.ofMinutes(1), Duration.ofHours(1));
		requireBetween("refresh-token-ttl", refreshTokenTtl, Duration.ofMinutes(5), Duration.ofDays(30));
		requireBetween("invitation-ttl", invitationTtl, Duration.ofMinutes(5), Duration.ofDays(30));
		requireBetween("reset-ttl", resetTtl, Duration.ofMinutes(5), Duration.ofDays(1));
		if (maxClientsPerTenant < 1 || maxClientsPerTenant > 1000) {
			throw new IllegalArgumentException("tierflow.identity.max-clients-per-tenant must be between 1 and 1000");
		}
	}

	private static void requireBetween(String name, Duration value, Duration min, Duration max) {
		if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
			throw new IllegalArgumentException(
					"tierflow.identity." + name + " must be between " + min + " and " + max + ", not " + value);
		}
	}

	/**
	 * The console: a browser application behind its own server (backend for frontend), so
	 * a confidential client that also proves its authorization requests with PKCE.
	 *
	 * @param clientId its client id
	 * @param clientSecret its secret; without one the console is not registered
	 * @param redirectUris where it may receive authorization codes
	 */
	public record Console(@DefaultValue("tierflow-console") String clientId, String clientSecret,
			List<String> redirectUris) {

		public Console {
			redirectUris = (redirectUris != null) ? redirectUris.stream().filter((u) -> !u.isBlank()).toList()
					: List.of();
		}

		boolean registered() {
			return this.clientSecret != null && !this.clientSecret.isBlank();
		}

	}

}
