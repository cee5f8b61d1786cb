package io.tierflow.tenant.audit;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What an audited action was done to: a type ({@code tenant}, {@code user},
 * {@code export}) and its id, null when the action was refused before it had one.
 */
public record AuditTarget(String type, String id) {

	static final Pattern TYPE = Pattern.compile("[a-z][a-z_]{0,40}");

	public static AuditTarget of(String type, UUID id) {
		return new AuditTarget(type, (id != null) ? id.toString() : null);
	}

	public static AuditTarget tenant(UUID id) {
		return of("tenant", id);
	}

	/** Checked when recorded, not when read: a damaged row must still be readable. */
	AuditTarget requireValid() {
		if (this.type == null || !TYPE.matcher(this.type).matches()) {
			throw new IllegalArgumentException("An audit target type is a lower-case word, not " + this.type);
		}
		if (this.id != null && this.id.length() > Actor.MAX_ID) {
			throw new IllegalArgumentException("An audit target id has at most " + Actor.MAX_ID + " characters");
		}
		return this;
	}

}
