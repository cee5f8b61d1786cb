package io.tierflow.tenant.identity;

import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Registers the configured operator clients (client credentials), and the console as
 * configured, once every instance has started: authorization code with PKCE required, no
 * consent screen (it is the platform's own). The console in the browser is a public
 * client (no secret: a page cannot keep one), with no refresh token — Spring
 * Authorization Server gives public clients none, rightly; when its access token runs
 * out, the page signs in again, which the sign-in's session answers without the form. A
 * console behind a server of its own is confidential and gets refresh tokens that rotate
 * on each use.
 * <p>
 * Instances of tenant-service start together (a rollout, a cluster's first start): each
 * registration is a read then an insert or update, so they run in one transaction that
 * first takes an advisory lock. The second instance waits, finds the first one's rows and
 * updates them, instead of failing its start on the client id's unique index.
 */
class ConsoleClient implements SmartInitializingSingleton {

	private static final Logger log = LoggerFactory.getLogger(ConsoleClient.class);

	private final IdentityProperties properties;

	private final RegisteredClientRepository clients;

	private final JdbcOperations jdbc;

	private final TransactionTemplate tx;

	ConsoleClient(IdentityProperties properties, RegisteredClientRepository clients, JdbcOperations jdbc,
			PlatformTransactionManager transactions) {
		this.properties = properties;
		this.clients = clients;
		this.jdbc = jdbc;
		this.tx = new TransactionTemplate(transactions);
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.tx.executeWithoutResult((status) -> {
			this.jdbc.queryForList("select pg_advisory_xact_lock(hashtext('tierflow.identity.clients'))");
			registerOperatorClients();
			registerConsole();
		});
	}

	private void registerConsole() {
		IdentityProperties.Console console = this.properties.console();
		if (!console.registered()) {
			return;
		}
		RegisteredClient existing = this.clients.findByClientId(console.clientId());
		String id = (existing != null) ? existing.getId() : UUID.randomUUID().toString();
		RegisteredClient.Builder builder = RegisteredClient.withId(id)
			.clientId(console.clientId())
			.clientName("Tierflow console")
			.authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE);
		if (console.isPublic()) {
			builder.clientAuthenticationMethod(ClientAuthenticationMethod.NONE);
		}
		else {
			builder
				.clientSecret(PasswordEncoderFactories.createDelegatingPasswordEncoder().encode(console.clientSecret()))
				.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
				.authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN);
		}
		RegisteredClient client = builder.redirectUris((uris) -> uris.addAll(console.redirectUris()))
			// Signing out ends the sign-in's session too (RP-initiated logout), and comes
			// back to the console.
			.postLogoutRedirectUris((uris) -> uris.addAll(console.redirectUris()))
			.scope(OidcScopes.OPENID)
			.clientSettings(ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false).build())
			.tokenSettings(TokenSettings.builder()
				.accessTokenTimeToLive(this.properties.accessTokenTtl())
				.refreshTokenTimeToLive(this.properties.refreshTokenTtl())
				.reuseRefreshTokens(false)
				.build())
			.build();
		this.clients.save(client);
		log.info("Console client {} registered ({}), redirecting to {}", console.clientId(),
				console.isPublic() ? "public" : "confidential", console.redirectUris());
	}

	/** Registers each configured operator client: client credentials only. */
	private void registerOperatorClients() {
		for (IdentityProperties.OperatorClient operator : this.properties.operatorClients()) {
			RegisteredClient existing = this.clients.findByClientId(operator.clientId());
			RegisteredClient client = RegisteredClient
				.withId((existing != null) ? existing.getId() : UUID.randomUUID().toString())
				.clientId(operator.clientId())
				.clientName("Tierflow operator client " + operator.clientId())
				.clientSecret(
						PasswordEncoderFactories.createDelegatingPasswordEncoder().encode(operator.clientSecret()))
				.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
				.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
				.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
				.tokenSettings(TokenSettings.builder().accessTokenTimeToLive(this.properties.accessTokenTtl()).build())
				.build();
			this.clients.save(client);
			log.info("Operator client {} registered with roles {}", operator.clientId(), operator.roles());
		}
	}

}
