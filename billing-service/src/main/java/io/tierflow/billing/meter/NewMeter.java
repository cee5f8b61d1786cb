package io.tierflow.billing.meter;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Request to create a meter. The key is what usage events name the meter by, so it is a
 * plain lower-case identifier. The tenant is never taken from the body, only from the
 * token. PostgreSQL text cannot hold NUL, so it is refused here as bad input rather than
 * failing in the database as a server error.
 */
record NewMeter(@NotNull @Pattern(regexp = "[a-z][a-z0-9_.-]{0,63}",
		message = "must be 1-64 characters: a lower-case letter, then lower-case letters, digits, '_', '.' or '-'") String key,
		@NotBlank @Size(max = 32) @Pattern(regexp = NewMeter.NO_NUL, message = NewMeter.NO_NUL_MESSAGE) String unit,
		@Size(max = 1000) @Pattern(regexp = NewMeter.NO_NUL, message = NewMeter.NO_NUL_MESSAGE) String description) {

	static final String NO_NUL = "[^\\x00]*";

	static final String NO_NUL_MESSAGE = "must not contain NUL characters";

}
