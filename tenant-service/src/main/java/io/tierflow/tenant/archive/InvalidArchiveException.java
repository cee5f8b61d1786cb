package io.tierflow.tenant.archive;

/**
 * An archive to import that cannot be loaded: truncated, corrupted, altered, or not a
 * Tierflow archive at all. Answered with 422, naming the service whose part is at fault
 * and the table (or entry) in it, when known; nothing is created.
 */
class InvalidArchiveException extends Exception {

	private final String service;

	private final String table;

	InvalidArchiveException(String service, String table, String reason) {
		super(((service != null) ? service + ((table != null) ? ", table " + table : "") + ": " : "") + reason);
		this.service = service;
		this.table = table;
	}

	/** The service whose part is at fault, or null (the archive as a whole). */
	String service() {
		return this.service;
	}

	/** The table or entry at fault, or null. */
	String table() {
		return this.table;
	}

}
