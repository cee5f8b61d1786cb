package io.tierflow.tenancy.placement;

import java.util.Locale;
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

	private static String hex(UUID tenantId) {
		return tenantId.toString().replace("-", "").toLowerCase(Locale.ROOT);
	}

}
