package io.tierflow.events.inbox;

import io.tierflow.events.DomainEvent;
import io.tierflow.tenancy.context.TenantContext;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Applies an event's effect at most once per consumer: the event id is recorded in the
 * same transaction as the effect, so a redelivery or a replay after a crash finds it and
 * does nothing. The event's tenant is bound while the effect runs.
 */
public class EventInbox {

	private final JdbcClient jdbc;

	private final TransactionTemplate tx;

	public EventInbox(JdbcClient jdbc, TransactionTemplate tx) {
		this.jdbc = jdbc;
		this.tx = tx;
	}

	/**
	 * Runs {@code effect} in a transaction unless this consumer already applied this
	 * event.
	 * @return true if the effect ran, false for a duplicate
	 */
	public boolean handleOnce(String consumer, DomainEvent event, Runnable effect) {
		try (TenantContext.Scope scope = TenantContext.open(event.tenantId())) {
			return Boolean.TRUE.equals(this.tx.execute((status) -> {
				int inserted = this.jdbc
					.sql("insert into inbox (tenant_id, consumer, event_id) values (?, ?, ?) on conflict do nothing")
					.params(event.tenantId(), consumer, event.id())
					.update();
				if (inserted == 0) {
					return false;
				}
				effect.run();
				return true;
			}));
		}
	}

}
