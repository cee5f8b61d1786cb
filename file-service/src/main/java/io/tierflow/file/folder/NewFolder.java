package io.tierflow.file.folder;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Request to create a folder. The tenant is never taken from the body, only from the
 * token. PostgreSQL text cannot hold NUL, so it is refused here as bad input rather than
 * failing in the database as a server error.
 */
record NewFolder(
		@NotBlank @Size(max = 100) @Pattern(regexp = NewFolder.NO_NUL, message = NewFolder.NO_NUL_MESSAGE) String name,
		@Size(max = 1000) @Pattern(regexp = NewFolder.NO_NUL, message = NewFolder.NO_NUL_MESSAGE) String description) {

	static final String NO_NUL = "[^\\x00]*";

	static final String NO_NUL_MESSAGE = "must not contain NUL characters";

}
