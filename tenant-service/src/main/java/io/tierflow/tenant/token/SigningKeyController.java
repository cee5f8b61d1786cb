package io.tierflow.tenant.token;

import java.util.Map;
import java.util.UUID;

import io.tierflow.tenant.audit.AuditTarget;
import io.tierflow.tenant.audit.AuditTrail;

import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Rotating the token signing key (system admins): a new key signs from now on, the one
 * before stays in the JWKS so that the tokens it signed stay valid until they expire, and
 * older keys go. Services fetch the JWKS again when a token names a key they have not
 * seen.
 */
@RestController
@RequestMapping("/api/v1/admin/signing-keys")
class SigningKeyController {

	/** The audit action of a rotation. */
	static final String ROTATE = "signing_key.rotate";

	private final SigningKeys keys;

	private final AuditTrail audit;

	private final TransactionTemplate tx;

	SigningKeyController(SigningKeys keys, AuditTrail audit,
			org.springframework.transaction.PlatformTransactionManager transactions) {
		this.keys = keys;
		this.audit = audit;
		this.tx = new TransactionTemplate(transactions);
	}

	@PostMapping("/rotate")
	@PreAuthorize("hasAuthority('keys:rotate')")
	Map<String, Object> rotate() {
		SigningKeys.Rotation rotation = this.tx.execute((s) -> {
			SigningKeys.Rotation r = this.keys.rotate();
			this.audit.record(ROTATE, AuditTarget.of("signing_key", UUID.fromString(r.kid())), null);
			return r;
		});
		// Signing with the new key only once it is committed, for every instance to find.
		this.keys.reload();
		return Map.of("kid", rotation.kid(), "previous", String.valueOf(rotation.previous()), "retired",
				rotation.retired());
	}

}
