package io.tierflow.tenant.identity;

import java.nio.charset.StandardCharsets;

import io.tierflow.tenant.audit.AuditActions;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Setting a password with a token from an invitation or a reset, and asking for a reset.
 * Both are open to anyone (the caller has no password yet): a reset request is answered
 * 202 whether or not the address exists; a password is 12 to 72 bytes (bcrypt reads no
 * more), and is never echoed, logged or returned. Successes are in the audit trail
 * ({@link AuditActions#USER_SET_PASSWORD}, {@link AuditActions#USER_REQUEST_RESET}).
 */
@RestController
class PasswordController {

	/**
	 * bcrypt hashes the first 72 bytes of a password; a longer one is refused, not cut.
	 */
	static final int MAX_PASSWORD_BYTES = 72;

	private final Passwords passwords;

	PasswordController(Passwords passwords) {
		this.passwords = passwords;
	}

	@PostMapping("/api/v1/passwords")
	ResponseEntity<Void> set(@Valid @RequestBody NewPassword body) {
		if (body.password().getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"A password may be at most " + MAX_PASSWORD_BYTES + " bytes in UTF-8");
		}
		this.passwords.set(body.token(), body.password());
		return ResponseEntity.noContent().build();
	}

	@PostMapping("/api/v1/password-resets")
	ResponseEntity<Void> requestReset(@Valid @RequestBody ResetRequest body) {
		this.passwords.requestReset(body.tenant(), body.email());
		return ResponseEntity.accepted().build();
	}

	/**
	 * @param token the token from the invitation or reset notification
	 * @param password the new password
	 */
	record NewPassword(@NotBlank @Size(max = 100) @Pattern(regexp = "[A-Za-z0-9_-]+") String token,
			@NotNull @Size(min = 12, max = MAX_PASSWORD_BYTES) String password) {

		@Override
		public String toString() {
			return "NewPassword[token=…, password=…]";
		}

	}

	/**
	 * @param tenant the tenant's slug
	 * @param email the user's address
	 */
	record ResetRequest(@NotBlank @Size(max = 64) String tenant, @NotBlank @Email @Size(max = 254) String email) {
	}

}
