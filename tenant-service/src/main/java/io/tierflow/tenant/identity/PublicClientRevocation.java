package io.tierflow.tenant.identity;

import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * Lets a public client (the console in the browser) revoke its own tokens at the
 * revocation endpoint with its client id, as RFC 7009 §5 has it: "a valid client_id, in
 * the case of a public client". Spring Authorization Server authenticates public clients
 * only with a PKCE code verifier at the token endpoint, and leaves any other way to the
 * application. Only a client registered with the authentication method {@code none} is
 * accepted so, only at the revocation endpoint; the revocation itself stays Spring
 * Authorization Server's, which revokes a token only for the client it was issued to, so
 * a client id alone revokes nothing of anyone else's.
 */
final class PublicClientRevocation {

	/** Marks the client authentications this converter made. */
	private static final String MARKER = PublicClientRevocation.class.getName();

	private PublicClientRevocation() {
	}

	/** Reads {@code client_id} of a revocation request that carries no credentials. */
	static AuthenticationConverter converter(AuthorizationServerSettings settings) {
		return (HttpServletRequest request) -> {
			if (!HttpMethod.POST.matches(request.getMethod())
					|| !settings.getTokenRevocationEndpoint().equals(request.getServletPath())
					|| request.getHeader(HttpHeaders.AUTHORIZATION) != null
					|| request.getParameter(OAuth2ParameterNames.CLIENT_SECRET) != null) {
				return null;
			}
			String[] clientIds = request.getParameterValues(OAuth2ParameterNames.CLIENT_ID);
			if (clientIds == null || clientIds.length != 1 || clientIds[0].isBlank()) {
				return null;
			}
			return new OAuth2ClientAuthenticationToken(clientIds[0], ClientAuthenticationMethod.NONE, null,
					Map.of(MARKER, true));
		};
	}

	/** Accepts what {@link #converter} read when the client is a public one. */
	static AuthenticationProvider provider(RegisteredClientRepository clients) {
		return new AuthenticationProvider() {

			@Override
			public Authentication authenticate(Authentication authentication) {
				OAuth2ClientAuthenticationToken asked = (OAuth2ClientAuthenticationToken) authentication;
				if (!Boolean.TRUE.equals(asked.getAdditionalParameters().get(MARKER))) {
					return null;
				}
				RegisteredClient client = clients.findByClientId((String) asked.getPrincipal());
				if (client == null
						|| !client.getClientAuthenticationMethods().contains(ClientAuthenticationMethod.NONE)) {
					throw new OAuth2AuthenticationException(OAuth2ErrorCodes.INVALID_CLIENT);
				}
				return new OAuth2ClientAuthenticationToken(client, ClientAuthenticationMethod.NONE, null);
			}

			@Override
			public boolean supports(Class<?> authentication) {
				return OAuth2ClientAuthenticationToken.class.isAssignableFrom(authentication);
			}

		};
	}

}
