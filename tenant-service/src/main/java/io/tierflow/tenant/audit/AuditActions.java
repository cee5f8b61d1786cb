package io.tierflow.tenant.audit;

import java.util.regex.Pattern;

/**
 * Names of the actions the audit trail records, {@code <resource>.<verb>}. A new kind of
 * action (a client, a rate limit) takes a name here and one
 * {@link AuditTrail#record(String, AuditTarget, java.util.UUID)} in the transaction that
 * carries it out; its endpoint names the same action with {@link Audited}, so refusals
 * are recorded under it too.
 */
public final class AuditActions {

	public static final String TENANT_CREATE = "tenant.create";

	public static final String TENANT_SUSPEND = "tenant.suspend";

	public static final String TENANT_REACTIVATE = "tenant.reactivate";

	/** A tenant's own gateway rate limit set, or removed (back to its tier's). */
	public static final String TENANT_CHANGE_RATE_LIMIT = "tenant.change_rate_limit";

	/** A change of plan; target the tier change it started (or completed at once). */
	public static final String TENANT_CHANGE_TIER = "tenant.change_tier";

	public static final String TENANT_REBALANCE = "tenant.rebalance";

	public static final String TENANT_RETRY_PROVISIONING = "tenant.retry_provisioning";

	/** Deletion, with or without a grace period. */
	public static final String TENANT_DELETE = "tenant.delete";

	public static final String TENANT_RESTORE_DELETION = "tenant.restore_deletion";

	/**
	 * The erase starts: at once on an immediate deletion (by the admin who deleted), when
	 * the grace period ends or an import fails (by the service itself).
	 */
	public static final String TENANT_ERASE = "tenant.erase";

	public static final String TENANT_EXPORT = "tenant.export";

	/** An import creates a tenant; the record is in the new tenant's chain. */
	public static final String TENANT_IMPORT = "tenant.import";

	public static final String USER_CREATE = "user.create";

	public static final String USER_CHANGE_ROLE = "user.change_role";

	public static final String USER_DELETE = "user.delete";

	/** A user set their password with an invitation or a reset token. */
	public static final String USER_SET_PASSWORD = "user.set_password";

	/** A password reset was asked for an existing user (recorded for that user only). */
	public static final String USER_REQUEST_RESET = "user.request_password_reset";

	/** A tenant admin created a machine client (client credentials). */
	public static final String CLIENT_CREATE = "client.create";

	/** A machine client was deleted, and its tokens revoked. */
	public static final String CLIENT_DELETE = "client.delete";

	/** A system admin ran the tenant-schema migrations of the services' stores. */
	public static final String DATABASE_MIGRATE = "database.migrate";

	/** A system admin started a rollout of a new tenant migration in a service. */
	public static final String ROLLOUT_START = "rollout.start";

	/** A system admin paused a rollout. */
	public static final String ROLLOUT_PAUSE = "rollout.pause";

	/** A system admin resumed a rollout. */
	public static final String ROLLOUT_RESUME = "rollout.resume";

	static final Pattern NAME = Pattern.compile("[a-z][a-z_]{0,40}\\.[a-z][a-z_]{0,40}");

	private AuditActions() {
	}

	static String requireValid(String action) {
		if (action == null || !NAME.matcher(action).matches()) {
			throw new IllegalArgumentException("An audit action is named <resource>.<verb>, not " + action);
		}
		return action;
	}

}
