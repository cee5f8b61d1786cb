package io.tierflow.tenant.identity;

import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

/**
 * Registers the configured operator clients (client credentials), and the console as
 * configured, once every instance has started: authorization code with PKCE required,
 * refresh tokens that rotate on each use, no consent screen (it is the platform's own).
 * The console keeps its tokens on its server, so it is a confidential client: Spring
 * Authorization Server gives public clients no refresh tokens, rightly.
 */
class ConsoleClient implements SmartInitializingSingleton {

	private static final Logger log = LoggerFactory.getLogger(ConsoleClient.class);

	private final IdentityProperties properties;

	private final RegisteredClientRepository clients;

	ConsoleClient(IdentityProperties properties, RegisteredClientRepository clients) {
		this.properties = properties;
		this.clients = clients;
	}

	@Override
	public void afterSingletonsInstantiated() {
		registerOperatorClients();
		IdentityProperties.Console console = this.properties.console();
		if (!console.registered()) {
			return;
		}
		if (console.redirectUris().isEmpty()) {
			throw new IllegalStateException(
					"tierflow.identity.console.redirect-uris must name where the console receives its codes");
		}
		RegisteredClient existing = this.clients.findByClientId(console.clientId());
		String id = (existing != null) ? existing.getId() : UUID.randomUUID().toString();
		RegisteredClient client = RegisteredClient.withId(id)
			.clientId(console.clientId())
			.clientName("Tierflow console")
			.clientSecret(PasswordEncoderFactories.createDelegatingPasswordEncoder().encode(console.clientSecret()))
			.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
			.authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
			.authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
			.redirectUris((uris) -> uris.addAll(console.redirectUris()))
			.scope(OidcScopes.OPENID)
			.clientSettings(ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false).build())
			.tokenSettings(TokenSettings.builder()
				.accessTokenTimeToLive(this.properties.accessTokenTtl())
				.refreshTokenTimeToLive(this.properties.refreshTokenTtl())
				.reuseRefreshTokens(false)
				.build())
			.build();
		this.clients.save(client);
		log.info("Console client {} registered, redirecting to {}", console.clientId(), console.redirectUris());
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
