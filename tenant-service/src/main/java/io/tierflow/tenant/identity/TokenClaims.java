package io.tierflow.tenant.identity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.tierflow.tenancy.security.TierflowSecurityProperties;
import io.tierflow.tenant.token.SigningKeySource;

import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;

/**
 * What the authorization server's tokens say, in the claims every service reads: the
 * audience the services accept, the tenant, the roles, the tier (the gateway's rate
 * limit) and the tenant's own rate limit if a system admin set one. They are read from
 * the database each time a token is issued, a refresh too, so a changed role or tier
 * shows in the next token, and a deleted user, a deleted client or a tenant that is no
 * longer active gets none. The subject is the user's id (the services match owners by it)
 * or the client's id.
 */
class TokenClaims implements OAuth2TokenCustomizer<JwtEncodingContext> {

	private final Accounts accounts;

	private final SigningKeySource keys;

	private final TierflowSecurityProperties security;

	private final IdentityProperties identity;

	TokenClaims(Accounts accounts, SigningKeySource keys, TierflowSecurityProperties security,
			IdentityProperties identity) {
		this.accounts = accounts;
		this.keys = keys;
		this.security = security;
		this.identity = identity;
	}

	@Override
	public void customize(JwtEncodingContext context) {
		// Several keys are published; the header names the one that signs.
		context.getJwsHeader().keyId(this.keys.signingKeyId());
		boolean accessToken = OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType());
		boolean idToken = OidcParameterNames.ID_TOKEN.equals(context.getTokenType().getValue());
		if (!accessToken && !idToken) {
			return;
		}
		JwtClaimsSet.Builder claims = context.getClaims();
		if (AuthorizationGrantType.CLIENT_CREDENTIALS.equals(context.getAuthorizationGrantType())) {
			String clientId = context.getRegisteredClient().getClientId();
			java.util.Optional<IdentityProperties.OperatorClient> operator = this.identity.operatorClient(clientId);
			if (operator.isPresent()) {
				// The platform's own: no tenant, the configured roles, no tier to limit.
				claims.subject(clientId);
				stamp(claims, null, operator.get().roles(), null, null, clientId);
				return;
			}
			Accounts.ClientAccount client = this.accounts.client(clientId)
				.filter(Accounts.ClientAccount::mayHaveTokens)
				.orElseThrow(() -> refused(OAuth2ErrorCodes.UNAUTHORIZED_CLIENT,
						"The client is deleted, or its tenant is not active"));
			claims.subject(clientId);
			stamp(claims, client.tenantId().toString(), client.roles(), client.tier(), client.rateLimit(), clientId);
			return;
		}
		String signInName = context.getPrincipal().getName();
		if (this.identity.operator(signInName).isPresent()) {
			// An operator: no tenant, SYSTEM_ADMIN, no tier to limit. One removed from
			// the configuration since has no operator entry and falls to the users,
			// where no such name is found.
			claims.subject("operator:" + signInName);
			if (accessToken) {
				stamp(claims, null, List.of("SYSTEM_ADMIN"), null, null, context.getRegisteredClient().getClientId());
			}
			else {
				// Whom the console shows as signed in.
				claims.claim("preferred_username", signInName);
			}
			return;
		}
		Accounts.UserAccount user = this.accounts.user(signInName)
			.filter(Accounts.UserAccount::mayHaveTokens)
			.orElseThrow(() -> refused(OAuth2ErrorCodes.INVALID_GRANT,
					"The user is deleted, or their tenant is not active"));
		claims.subject(user.userId().toString());
		if (accessToken) {
			stamp(claims, user.tenantId().toString(), List.of(user.role()), user.tier(), user.rateLimit(),
					context.getRegisteredClient().getClientId());
		}
		else {
			// OpenID Connect's standard claims, in the ID token only: the access token
			// names the user by id alone.
			claims.claim("email", user.email());
			claims.claim("preferred_username", signInName);
		}
	}

	private void stamp(JwtClaimsSet.Builder claims, String tenantId, List<String> roles, String tier,
			Accounts.RateLimit rateLimit, String clientId) {
		// Mutable lists: the token's claims are stored with its authorization, and read
		// back only as types Spring Authorization Server allows (not List.of's).
		claims.audience(new ArrayList<>(List.of(this.security.audiences().get(0))));
		claims.claim("client_id", clientId);
		if (tier != null) {
			claims.claim("tier", tier);
		}
		if (rateLimit != null) {
			// The tenant's own limit, which the gateway applies over its tier's.
			// ints: stored with the authorization, a Long would not read back (a type the
			// authorization server's JSON does not allow); the bounds fit.
			Map<String, Object> limit = new LinkedHashMap<>();
			limit.put("requests_per_second", Math.toIntExact(rateLimit.requestsPerSecond()));
			limit.put("burst", Math.toIntExact(rateLimit.burst()));
			claims.claim("rate_limit", limit);
		}
		claims.claims((all) -> {
			if (tenantId != null) {
				put(all, this.security.tenantClaim(), tenantId);
			}
			put(all, this.security.rolesClaim(), new ArrayList<>(roles));
		});
	}

	/** Sets a claim, a nested one for a dotted name ({@code realm_access.roles}). */
	@SuppressWarnings("unchecked")
	private static void put(Map<String, Object> claims, String name, Object value) {
		String[] path = name.split("\\.");
		Map<String, Object> at = claims;
		for (int i = 0; i < path.length - 1; i++) {
			Object next = at.get(path[i]);
			Map<String, Object> nested = (next instanceof Map<?, ?> map)
					? new LinkedHashMap<>((Map<String, Object>) map) : new LinkedHashMap<>();
			at.put(path[i], nested);
			at = nested;
		}
		at.put(path[path.length - 1], value);
	}

	private static OAuth2AuthenticationException refused(String code, String description) {
		return new OAuth2AuthenticationException(new OAuth2Error(code, description, null));
	}

}
