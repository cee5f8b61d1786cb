package io.tierflow.tenant.token;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tierflow.tenancy.security.TokenIssuer;
import io.tierflow.tenancy.web.NotFoundException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The public keys every service verifies tokens with, and development tokens. */
@RestController
class TokenController {

	private final TokenIssuer issuer;

	private final TokenProperties properties;

	TokenController(TokenIssuer issuer, TokenProperties properties) {
		this.issuer = issuer;
		this.properties = properties;
	}

	@GetMapping("/.well-known/jwks.json")
	Map<String, Object> jwks() {
		return this.issuer.publicJwks();
	}

	/**
	 * Development only ({@code tierflow.tokens.dev-issuer=true}): a token for anyone who
	 * asks.
	 */
	@PostMapping("/api/v1/dev/tokens")
	Map<String, String> devToken(@Valid @RequestBody DevTokenRequest request, HttpServletRequest http) {
		// Only to this machine: the issuer signs whatever it is asked to.
		if (!this.properties.devIssuer() || !isLoopback(http.getRemoteAddr())) {
			throw new NotFoundException("The development token issuer is disabled");
		}
		String token = this.issuer.issue(request.subject(), request.tenantId(), request.roles(),
				Duration.ofMinutes((request.ttlMinutes() != null) ? request.ttlMinutes() : 60), request.tier());
		return Map.of("token", token);
	}

	private static boolean isLoopback(String address) {
		// The connection's literal address (never a name, which would need a lookup).
		return address != null && (address.startsWith("127.") || "::1".equals(address)
				|| "0:0:0:0:0:0:0:1".equals(address) || "[::1]".equals(address));
	}

	record DevTokenRequest(@NotBlank @Size(max = 200) String subject, UUID tenantId,
			@NotEmpty List<@Pattern(regexp = "SYSTEM_ADMIN|TENANT_ADMIN|USER|READ_ONLY") String> roles,
			@Min(1) @Max(1440) Integer ttlMinutes, @Pattern(regexp = "SHARED|DEDICATED|ENTERPRISE") String tier) {
	}

}
