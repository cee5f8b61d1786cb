package io.tierflow.events.outbox;

import javax.sql.DataSource;

/**
 * One outbox table: the database it lives in (reached with owner rights, which row-level
 * security does not filter) and its schema. Equal by name.
 */
public record OutboxLocation(String name, DataSource owner, String schema) {

	@Override
	public boolean equals(Object other) {
		return other instanceof OutboxLocation o && o.name.equals(this.name);
	}

	@Override
	public int hashCode() {
		return this.name.hashCode();
	}

}
