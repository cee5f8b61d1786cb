package io.tierflow.tenant.audit;

import java.util.UUID;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * Who did an audited action, from the verified token: its subject (an id: the trail never
 * stores a name or an e-mail address), its tenant, and the OAuth client it was issued to
 * ({@code client_id}, RFC 9068, else {@code azp}). Work the service starts on its own
 * (the end of a grace period, a failed import) is done by {@link #SERVICE}.
 */
record Actor(String subject, UUID tenantId, String clientId) {

	static final Actor SERVICE = new Actor("system:tenant-service", null, null);

	/**
	 * Longest subject and client id kept; a token's claims are not free text to store.
	 */
	static final int MAX_ID = 200;

	/**
	 * The actor of the current thread's request, or {@link #SERVICE} outside of one.
	 * @param tenantClaim the claim holding the token's tenant
	 */
	static Actor current(String tenantClaim) {
		Authentication auth = SecurityContextHolder.getContext().getAuthentication();
		if (auth instanceof JwtAuthenticationToken token) {
			Jwt jwt = token.getToken();
			String subject = (jwt.getSubject() != null) ? jwt.getSubject() : token.getName();
			String client = (jwt.getClaimAsString("client_id") != null) ? jwt.getClaimAsString("client_id")
					: jwt.getClaimAsString("azp");
			return new Actor(clip(subject), tenant(jwt.getClaimAsString(tenantClaim)), clip(client));
		}
		if (auth != null && auth.isAuthenticated() && auth.getName() != null) {
			return new Actor(clip(auth.getName()), null, null);
		}
		return SERVICE;
	}

	/** Whether the current request's token is a platform operator's. */
	static boolean isSystemAdmin() {
		Authentication auth = SecurityContextHolder.getContext().getAuthentication();
		return auth != null
				&& auth.getAuthorities().stream().anyMatch((a) -> a.getAuthority().equals("ROLE_SYSTEM_ADMIN"));
	}

	private static UUID tenant(String claim) {
		try {
			return (claim != null) ? UUID.fromString(claim) : null;
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	private static String clip(String value) {
		return (value != null && value.length() > MAX_ID) ? value.substring(0, MAX_ID) : value;
	}

}
