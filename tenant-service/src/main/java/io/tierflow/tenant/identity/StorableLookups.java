package io.tierflow.tenant.identity;

import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

/**
 * The authorization server's lookups by what a caller sent (a client id, a token, a
 * code), asked only with values PostgreSQL can hold: a value with a NUL character, or
 * longer than any Tierflow issues, finds nothing, as an unknown one does, instead of the
 * database refusing it with an error that would be a 500.
 */
final class StorableLookups {

	/** Longer than any id, token or code issued here (a JWT access token is ~1 KB). */
	static final int MAX_LENGTH = 4096;

	private StorableLookups() {
	}

	static boolean storable(String value) {
		return value != null && value.length() <= MAX_LENGTH && value.indexOf('\0') < 0;
	}

	static RegisteredClientRepository clients(RegisteredClientRepository delegate) {
		return new RegisteredClientRepository() {

			@Override
			public void save(RegisteredClient client) {
				delegate.save(client);
			}

			@Override
			public RegisteredClient findById(String id) {
				return storable(id) ? delegate.findById(id) : null;
			}

			@Override
			public RegisteredClient findByClientId(String clientId) {
				return storable(clientId) ? delegate.findByClientId(clientId) : null;
			}

		};
	}

	static OAuth2AuthorizationService authorizations(OAuth2AuthorizationService delegate) {
		return new OAuth2AuthorizationService() {

			@Override
			public void save(OAuth2Authorization authorization) {
				delegate.save(authorization);
			}

			@Override
			public void remove(OAuth2Authorization authorization) {
				delegate.remove(authorization);
			}

			@Override
			public OAuth2Authorization findById(String id) {
				return storable(id) ? delegate.findById(id) : null;
			}

			@Override
			public OAuth2Authorization findByToken(String token, OAuth2TokenType tokenType) {
				return storable(token) ? delegate.findByToken(token, tokenType) : null;
			}

		};
	}

}
