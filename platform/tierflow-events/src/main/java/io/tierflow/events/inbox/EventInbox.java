package io.tierflow.events.inbox;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

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
		return !handleOnce(consumer, event.tenantId(), List.of(event), (applied) -> effect.run()).isEmpty();
	}

	/**
	 * Runs {@code effect} once, in one transaction of the tenant, with those of
	 * {@code events} this consumer has not applied yet (each id once, in the given
	 * order), and records them as applied. Nothing runs if all were applied before.
	 * @param events events of {@code tenant}
	 * @return the events applied now
	 */
	public List<DomainEvent> handleOnce(String consumer, UUID tenant, List<DomainEvent> events,
			Consumer<List<DomainEvent>> effect) {
		String[] ids = new String[events.size()];
		for (int i = 0; i < ids.length; i++) {
			DomainEvent event = events.get(i);
			if (!tenant.equals(event.tenantId())) {
				throw new IllegalArgumentException("Event " + event.id() + " is not of tenant " + tenant);
			}
			ids[i] = event.id();
		}
		try (TenantContext.Scope scope = TenantContext.open(tenant)) {
			return this.tx.execute((status) -> {
				Set<String> fresh = new HashSet<>(this.jdbc
					.sql("insert into inbox (tenant_id, consumer, event_id) select ?, ?, unnest(?::text[])"
							+ " on conflict do nothing returning event_id")
					.params(tenant, consumer, ids)
					.query(String.class)
					.list());
				List<DomainEvent> applied = new ArrayList<>(fresh.size());
				for (DomainEvent event : events) {
					if (fresh.remove(event.id())) {
						applied.add(event);
					}
				}
				if (!applied.isEmpty()) {
					effect.accept(applied);
				}
				return applied;
			});
		}
	}

}
