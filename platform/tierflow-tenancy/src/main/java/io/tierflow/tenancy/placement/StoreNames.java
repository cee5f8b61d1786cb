package io.tierflow.tenancy.placement;

import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * Names of schemas and databases, derived from the tenant id only: user text never
 * reaches an identifier, so no quoting or escaping can go wrong.
 */
public final class StoreNames {

	/** Schema of the shared tables in a shared cluster's database. */
	public static final String SHARED_SCHEMA = "shared";

	/** Schema of the tenant tables inside a tenant's own database. */
	public static final String DATABASE_SCHEMA = "tenant";

	private StoreNames() {
	}

	public static String tenantSchema(UUID tenantId) {
		return "t_" + hex(tenantId);
	}

	public static String tenantDatabase(String service, UUID tenantId) {
		return service + "_t_" + hex(tenantId);
	}

	/**
	 * The tenant whose own database {@code database} is in {@code service}, if it is one
	 * ({@link #tenantDatabase}).
	 */
	public static Optional<UUID> tenantOfDatabase(String service, String database) {
		String prefix = service + "_t_";
		if (!database.startsWith(prefix)) {
			return Optional.empty();
		}
		String hex = database.substring(prefix.length());
		if (!hex.matches("[0-9a-f]{32}")) {
			return Optional.empty();
		}
		return Optional.of(UUID.fromString(hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-"
				+ hex.substring(12, 16) + "-" + hex.substring(16, 20) + "-" + hex.substring(20)));
	}

	private static String hex(UUID tenantId) {
		return tenantId.toString().replace("-", "").toLowerCase(Locale.ROOT);
	}

}
