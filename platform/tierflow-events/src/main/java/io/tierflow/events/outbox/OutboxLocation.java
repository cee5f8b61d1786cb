package io.tierflow.events.outbox;

import java.util.function.Supplier;

import javax.sql.DataSource;

/**
 * One outbox table: how to reach its database with owner rights (which row-level security
 * does not filter) and its schema. The DataSource is looked up only when the relay drains
 * it, so writing an event never opens a pool. Equal by name.
 */
public record OutboxLocation(String name, Supplier<DataSource> owner, String schema) {

	public OutboxLocation(String name, DataSource owner, String schema) {
		this(name, () -> owner, schema);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof OutboxLocation o && o.name.equals(this.name);
	}

	@Override
	public int hashCode() {
		return this.name.hashCode();
	}

}
