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
 * @param console the console's client: authorization code with PKCE, registered when it
 * has redirect URIs
 * @param operatorClients the platform's own machine clients (a Prometheus scraping the
 * actuators, an operator's automation): client credentials, no tenant, the configured
 * roles
 * @param operators the platform's operators who sign in with the form (the console's
 * system admins): no tenant, role SYSTEM_ADMIN
 */
@ConfigurationProperties("tierflow.identity")
public record IdentityProperties(@DefaultValue("15m") Duration accessTokenTtl,
		@DefaultValue("8h") Duration refreshTokenTtl, @DefaultValue("72h") Duration invitationTtl,
		@DefaultValue("1h") Duration resetTtl, @DefaultValue("50") int maxClientsPerTenant,
		@DefaultValue Console console, List<OperatorClient> operatorClients, List<Operator> operators) {

	public IdentityProperties {
		requireBetween("access-token-ttl", accessTokenTtl, Duration.ofMinutes(1), Duration.ofHours(1));
		requireBetween("refresh-token-ttl", refreshTokenTtl, Duration.ofMinutes(5), Duration.ofDays(30));
		requireBetween("invitation-ttl", invitationTtl, Duration.ofMinutes(5), Duration.ofDays(30));
		requireBetween("reset-ttl", resetTtl, Duration.ofMinutes(5), Duration.ofDays(1));
		if (maxClientsPerTenant < 1 || maxClientsPerTenant > 1000) {
			throw new IllegalArgumentException("tierflow.identity.max-clients-per-tenant must be between 1 and 1000");
		}
		operatorClients = (operatorClients != null)
				? operatorClients.stream().filter(OperatorClient::registered).toList() : List.of();
		if (operatorClients.stream().map(OperatorClient::clientId).distinct().count() != operatorClients.size()) {
			throw new IllegalArgumentException("tierflow.identity.operator-clients name a client id twice");
		}
		operators = (operators != null) ? operators.stream().filter(Operator::registered).toList() : List.of();
		if (operators.stream().map(Operator::username).distinct().count() != operators.size()) {
			throw new IllegalArgumentException("tierflow.identity.operators name a username twice");
		}
	}

	/** The operator who signs in with this name, if one is configured. */
	java.util.Optional<Operator> operator(String username) {
		return this.operators.stream().filter((o) -> o.username().equals(username)).findFirst();
	}

	/** The operator client of this id, if one is configured. */
	java.util.Optional<OperatorClient> operatorClient(String clientId) {
		return this.operatorClients.stream().filter((c) -> c.clientId().equals(clientId)).findFirst();
	}

	private static void requireBetween(String name, Duration value, Duration min, Duration max) {
		if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
			throw new IllegalArgumentException(
					"tierflow.identity." + name + " must be between " + min + " and " + max + ", not " + value);
		}
	}

	/**
	 * A machine client of the platform's operators, configured rather than created over
	 * the API: its tokens name no tenant and carry its roles (typically
	 * {@code SYSTEM_ADMIN}, for the actuators' Prometheus endpoint). Ids of tenants'
	 * clients start with {@code tf-}; an operator client's may not.
	 *
	 * @param clientId its client id
	 * @param clientSecret its secret, at least 24 characters; without one it is not
	 * registered
	 * @param roles the roles its tokens carry
	 */
	public record OperatorClient(String clientId, String clientSecret, List<String> roles) {

		public OperatorClient {
			roles = (roles != null) ? roles.stream().filter((r) -> !r.isBlank()).toList() : List.of();
			if (clientSecret != null && !clientSecret.isBlank()) {
				if (clientId == null || !clientId.matches("[a-z][a-z0-9-]{2,63}") || clientId.startsWith("tf-")) {
					throw new IllegalArgumentException("An operator client id must be 3-64 lower-case letters, digits"
							+ " or dashes, starting with a letter and not with tf- (tenants' clients): " + clientId);
				}
				if (clientSecret.length() < 24) {
					throw new IllegalArgumentException(
							"Operator client " + clientId + " needs a secret of at least 24 characters");
				}
				if (roles.isEmpty()) {
					throw new IllegalArgumentException("Operator client " + clientId + " needs roles");
				}
			}
		}

		boolean registered() {
			return this.clientSecret != null && !this.clientSecret.isBlank();
		}

	}

	/**
	 * A person who runs the platform, signing in with the form like a tenant's user: the
	 * tokens name no tenant and carry SYSTEM_ADMIN. A sign-in name has no {@code /},
	 * which every tenant user's has ({@code slug/e-mail}), so the two never meet.
	 *
	 * @param username the sign-in name: 3-64 lower-case letters, digits, dots, dashes or
	 * underscores, starting with a letter
	 * @param passwordHash the password, hashed with its algorithm's prefix (as
	 * {@code {bcrypt}$2a$...}); never the password itself. Without one the operator is
	 * not configured.
	 */
	public record Operator(String username, String passwordHash) {

		public Operator {
			if (passwordHash != null && !passwordHash.isBlank()) {
				if (username == null || !username.matches("[a-z][a-z0-9._-]{2,63}")) {
					throw new IllegalArgumentException("An operator's username must be 3-64 lower-case letters, digits,"
							+ " dots, dashes or underscores, starting with a letter: " + username);
				}
				if (!passwordHash.matches("\\{[A-Za-z0-9@_.-]+}.+") || passwordHash.startsWith("{noop}")) {
					throw new IllegalArgumentException("Operator " + username
							+ " needs a password hash with its algorithm's prefix ({bcrypt}...), not a password");
				}
			}
		}

		boolean registered() {
			return this.passwordHash != null && !this.passwordHash.isBlank();
		}

	}

	/**
	 * The console: a single-page application in the browser. Without a secret it is a
	 * public client, as a browser cannot keep one: authorization code with PKCE only, its
	 * access token held in the page's memory, no refresh token, and it revokes its token
	 * at sign-out with its client id ({@link PublicClientRevocation}). With a secret it
	 * is a confidential client behind a server of its own (backend for frontend), with
	 * rotating refresh tokens.
	 *
	 * @param clientId its client id
	 * @param clientSecret its secret, for a console behind its own server
	 * @param redirectUris where it may receive authorization codes; without any the
	 * console is not registered
	 */
	public record Console(@DefaultValue("tierflow-console") String clientId, String clientSecret,
			List<String> redirectUris) {

		public Console {
			redirectUris = (redirectUris != null) ? redirectUris.stream().filter((u) -> !u.isBlank()).toList()
					: List.of();
		}

		boolean registered() {
			return !this.redirectUris.isEmpty();
		}

		boolean isPublic() {
			return this.clientSecret == null || this.clientSecret.isBlank();
		}

	}

}
