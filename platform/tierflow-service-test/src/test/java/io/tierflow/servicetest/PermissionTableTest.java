package io.tierflow.servicetest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The README's Permissions section read as the permission matrix reads it. */
class PermissionTableTest {

	private static final String README = """
			# Tierflow

			## Permissions

			| Permission | READ_ONLY | USER |
			|---|:-:|:-:|
			| `models:read` | ✓ | ✓ |
			| `models:write` |  | ✓ |

			### simulation-service

			| Endpoint | Permission |
			|---|---|
			| GET /api/v1/models | models:read |
			| POST /api/v1/models | `models:write` |

			### tenant-service

			| Endpoint | Permission |
			|---|---|
			| GET /.well-known/jwks.json | public |

			## Next section

			| Endpoint | Permission |
			|---|---|
			| GET /elsewhere | models:read |
			""";

	@TempDir
	Path dir;

	@Test
	void readsWhoHoldsEachPermissionAndWhatEachEndpointOfTheServiceRequires() throws IOException {
		PermissionTable table = PermissionTable.read(write(README), "simulation-service");

		assertThat(table.grants())
			.isEqualTo(Map.of("models:read", Set.of("READ_ONLY", "USER"), "models:write", Set.of("USER")));
		assertThat(table.endpoints()).containsExactly(Map.entry("GET /api/v1/models", "models:read"),
				Map.entry("POST /api/v1/models", "models:write"));
		assertThat(PermissionTable.read(write(README), "tenant-service").endpoints())
			.containsExactly(Map.entry("GET /.well-known/jwks.json", "public"));
	}

	@Test
	void aServiceWithoutATableIsAFailure() throws IOException {
		assertThatThrownBy(() -> PermissionTable.read(write(README), "billing-service"))
			.isInstanceOf(AssertionError.class)
			.hasMessageContaining("### billing-service");
	}

	private Path write(String text) throws IOException {
		return Files.writeString(this.dir.resolve("README.md"), text);
	}

}
