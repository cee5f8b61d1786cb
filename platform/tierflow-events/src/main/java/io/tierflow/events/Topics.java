package io.tierflow.events;

/**
 * Kafka topics of the event backbone. Every record's key is the tenant id: per-tenant
 * order.
 */
public final class Topics {

	/** Tenant lifecycle, from tenant-service. */
	public static final String TENANT = "tierflow.tenant";

	/** Per-service replies to tenant lifecycle events (provisioned, migrated, erased). */
	public static final String TENANT_REPLIES = "tierflow.tenant.replies";

	/** Users of tenants. */
	public static final String USER = "tierflow.user";

	/** Simulation runs. */
	public static final String SIMULATION = "tierflow.simulation";

	/** Tenant files. */
	public static final String FILE = "tierflow.file";

	/** Invoices. */
	public static final String INVOICE = "tierflow.invoice";

	/**
	 * The audit trail of tenant-service: one event per audit record, keyed by the tenant
	 * the action concerns (the nil UUID for platform actions), so each chain stays in
	 * order.
	 */
	public static final String AUDIT = "tierflow.audit";

	/**
	 * What the platform tells its operators (a cluster must be added), keyed by the nil
	 * UUID: no tenant's event.
	 */
	public static final String PLATFORM = "tierflow.platform";

	private Topics() {
	}

	/** The dead-letter topic of one consuming service. */
	public static String deadLetter(String service) {
		return "tierflow.dlq." + service;
	}

}
