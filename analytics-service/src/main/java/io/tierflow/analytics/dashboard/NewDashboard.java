package io.tierflow.analytics.dashboard;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import tools.jackson.databind.JsonNode;

/**
 * Request to create a dashboard; the definition is any JSON object, or absent. The tenant
 * is never taken from the body, only from the token. What PostgreSQL cannot store (NUL in
 * text or jsonb) and what would only be stored altered (a number beyond a double) is
 * refused here as bad input rather than failing in the database as a server error.
 */
record NewDashboard(@NotBlank @Size(max = 100) @Pattern(regexp = "[^\\x00]*",
		message = "must not contain NUL characters") String name, JsonNode definition) {

	/** Bound on a definition's JSON text. */
	static final int MAX_DEFINITION_LENGTH = 65_536;

	/** Whether a definition was given ({@code null} in the JSON counts as none). */
	boolean hasDefinition() {
		return this.definition != null && !this.definition.isNull();
	}

	@AssertTrue(message = "definition must be a JSON object of at most " + MAX_DEFINITION_LENGTH
			+ " characters, without NUL characters or numbers beyond double range")
	boolean isDefinitionStorable() {
		return !hasDefinition() || (this.definition.isObject() && storable(this.definition)
				&& this.definition.toString().length() <= MAX_DEFINITION_LENGTH);
	}

	private static boolean storable(JsonNode node) {
		if (node.isString()) {
			return node.stringValue().indexOf('\0') < 0;
		}
		if (node.isDouble() || node.isFloat()) {
			return Double.isFinite(node.doubleValue());
		}
		if (node.isObject()) {
			return node.propertyStream().allMatch((p) -> p.getKey().indexOf('\0') < 0 && storable(p.getValue()));
		}
		return node.valueStream().allMatch(NewDashboard::storable);
	}

}
