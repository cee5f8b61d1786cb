package io.tierflow.tenancy.placement;

import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.util.Set;

/**
 * Failures that say PostgreSQL (or the pool in front of it) cannot serve for now, not
 * that what was asked is wrong: a server restarting or unreachable, connection slots
 * exhausted, a lock or a database in use by someone else. Work that failed so is tried
 * again later, by whoever redelivers it; it is never recorded as failed for good.
 */
public final class TransientFailures {

	/**
	 * SQLSTATEs of failures worth retrying, besides class 08 (connection exception):
	 * admin_shutdown, crash_shutdown, cannot_connect_now (a server restarting),
	 * too_many_connections, lock_not_available (a lock_timeout), object_in_use (CREATE
	 * DATABASE while its template has sessions), serialization_failure,
	 * deadlock_detected.
	 */
	private static final Set<String> STATES = Set.of("57P01", "57P02", "57P03", "53300", "55P03", "55006", "40001",
			"40P01");

	private TransientFailures() {
	}

	/** Whether {@code ex}, or one of its causes, is a transient failure. */
	public static boolean isTransient(Throwable ex) {
		Throwable t = ex;
		// Bounded: a chain of causes may loop.
		for (int depth = 0; t != null && depth < 32; depth++, t = t.getCause()) {
			// SQLTransientConnectionException: the pool had no connection in time.
			if (t instanceof SQLTransientException) {
				return true;
			}
			if (t instanceof SQLException sql && isTransientState(sql.getSQLState())) {
				return true;
			}
		}
		return false;
	}

	static boolean isTransientState(String state) {
		return state != null && (state.startsWith("08") || STATES.contains(state));
	}

}
