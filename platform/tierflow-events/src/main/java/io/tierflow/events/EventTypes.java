package io.tierflow.events;

/**
 * CloudEvents {@code type} values; a breaking change of a payload gets a new version
 * suffix.
 */
public final class EventTypes {

	public static final String TENANT_CREATED = "tierflow.tenant.created.v1";

	public static final String TENANT_SUSPENDED = "tierflow.tenant.suspended.v1";

	public static final String TENANT_REACTIVATED = "tierflow.tenant.reactivated.v1";

	/**
	 * Offboarding started: the tenant is refused everywhere from now on, and erased when
	 * its grace period ends (data {@code TenantStatusChanged}, status PENDING_ERASE or
	 * ERASING). Undone by {@link #TENANT_REACTIVATED} during the grace period.
	 */
	public static final String TENANT_DELETED = "tierflow.tenant.deleted.v1";

	/** Erase the tenant's data now; each tenant-data service answers tenant.erased. */
	public static final String TENANT_ERASE_REQUESTED = "tierflow.tenant.erase_requested.v1";

	public static final String TENANT_TIER_CHANGE_REQUESTED = "tierflow.tenant.tier_change_requested.v1";

	/** Moves the succeeded services of a failed tier change back (same data shape). */
	public static final String TENANT_TIER_CHANGE_ROLLBACK_REQUESTED = "tierflow.tenant.tier_change_rollback_requested.v1";

	public static final String TENANT_TIER_CHANGED = "tierflow.tenant.tier_changed.v1";

	/** A tier change that did not happen: the tenant stays on its old tier. */
	public static final String TENANT_TIER_CHANGE_FAILED = "tierflow.tenant.tier_change_failed.v1";

	/** A service's progress in moving a tenant (phase, rows, lag); a reply. */
	public static final String TENANT_MOVE_PROGRESS = "tierflow.tenant.move_progress.v1";

	public static final String TENANT_PROVISIONED = "tierflow.tenant.provisioned.v1";

	/** A service's final result of moving a tenant; a reply. */
	public static final String TENANT_MIGRATED = "tierflow.tenant.migrated.v1";

	/** Write the tenant's data into an archive; each tenant-data service answers. */
	public static final String TENANT_EXPORT_REQUESTED = "tierflow.tenant.export_requested.v1";

	/** A service's progress in exporting a tenant (rows, bytes); a reply. */
	public static final String TENANT_EXPORT_PROGRESS = "tierflow.tenant.export_progress.v1";

	/** A service's part of an export, written or failed; a reply. */
	public static final String TENANT_EXPORTED = "tierflow.tenant.exported.v1";

	/** Place a new tenant from an archive; each tenant-data service answers. */
	public static final String TENANT_IMPORT_REQUESTED = "tierflow.tenant.import_requested.v1";

	/** A service's part of an import, loaded and verified or refused; a reply. */
	public static final String TENANT_IMPORTED = "tierflow.tenant.imported.v1";

	/** A service's report of erasing a tenant; a reply. */
	public static final String TENANT_ERASED = "tierflow.tenant.erased.v1";

	public static final String USER_CREATED = "tierflow.user.created.v1";

	/**
	 * A user was removed from a tenant; their seat leaves every service's per-user quota
	 * (data {@code UserDeleted}).
	 */
	public static final String USER_DELETED = "tierflow.user.deleted.v1";

	/** A user's role in their tenant changed (data {@code UserRoleChanged}). */
	public static final String USER_ROLE_CHANGED = "tierflow.user.role_changed.v1";

	public static final String SIMULATION_STARTED = "tierflow.simulation.started.v1";

	public static final String SIMULATION_COMPLETED = "tierflow.simulation.completed.v1";

	public static final String SIMULATION_FAILED = "tierflow.simulation.failed.v1";

	public static final String FILE_UPLOADED = "tierflow.file.uploaded.v1";

	public static final String FILE_DELETED = "tierflow.file.deleted.v1";

	public static final String INVOICE_FINALIZED = "tierflow.invoice.finalized.v1";

	/**
	 * An action was recorded in the audit trail, succeeded or refused (data
	 * {@code AuditRecorded}, with the record's chain hash).
	 */
	public static final String AUDIT_RECORDED = "tierflow.audit.recorded.v1";

	/**
	 * Every cluster of a role and region of a service is above its high-water mark: a
	 * cluster must be added there (data {@code ClustersFull}).
	 */
	public static final String CLUSTERS_FULL = "tierflow.platform.clusters_full.v1";

	private EventTypes() {
	}

}
