package io.tierflow.mover;

/**
 * An archive part that cannot be loaded: missing, truncated, corrupted, altered, from a
 * newer schema, or whose rows do not match their checksums once loaded. Nothing of it is
 * left in the service.
 */
public class ArchiveRejectedException extends Exception {

	private final String service;

	private final String table;

	public ArchiveRejectedException(String service, String table, String reason) {
		super(service + ((table != null) ? ", table " + table : "") + ": " + reason);
		this.service = service;
		this.table = table;
	}

	public String service() {
		return this.service;
	}

	/** The table (or entry) at fault, or null. */
	public String table() {
		return this.table;
	}

}
