package io.tierflow.tenant.audit;

/** How an audited request ended. */
enum Outcome {

	/** Carried out; recorded in the transaction of the change. */
	SUCCEEDED,

	/** Answered with a 4xx problem; nothing changed. */
	REFUSED,

	/** Answered with a 5xx problem; nothing changed. */
	FAILED;

	static Outcome of(int status) {
		return (status >= 500) ? FAILED : (status >= 400) ? REFUSED : SUCCEEDED;
	}

}
