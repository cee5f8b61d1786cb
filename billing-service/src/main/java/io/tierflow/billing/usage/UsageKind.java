package io.tierflow.billing.usage;

/** What a usage record counts. */
public enum UsageKind {

	/** Monte Carlo iterations of a completed simulation run. */
	ITERATIONS,
	/** A signed change of the bytes the tenant stores, at the time it happened. */
	STORAGE_BYTES,
	/** Users created. */
	USERS

}
