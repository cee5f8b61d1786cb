package io.tierflow.events.outbox;

import java.util.function.Supplier;

import javax.sql.DataSource;

/**
 * One outbox table: how to reach its database with owner rights (which row-level security
 * does not filter) and its schema. The DataSource is looked up only when the relay drains
 * it, so writing an event never opens a pool. Equal by name.
 *
 * @param cold whether it is in a database of its own that no pool of this instance has
 * open (a quiet tenant's): a sweep then probes it through {@code owner}'s plain
 * connections, a few such outboxes a sweep in turn, rather than every outbox of a
 * thousand tenant databases every few seconds
 */
public record OutboxLocation(String name, Supplier<DataSource> owner, String schema, boolean cold) {

	public OutboxLocation(String name, Supplier<DataSource> owner, String schema) {
		this(name, owner, schema, false);
	}

	public OutboxLocation(String name, DataSource owner, String schema) {
		this(name, () -> owner, schema, false);
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
