package io.tierflow.events.seats;

import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.function.Consumer;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierflow.events.DomainEvent;
import io.tierflow.events.EventTypes;
import io.tierflow.events.ForeignTenantEvents;
import io.tierflow.events.MalformedEventException;
import io.tierflow.events.inbox.EventInbox;
import io.tierflow.events.tenant.UserCreated;
import io.tierflow.events.tenant.UserDeleted;
import io.tierflow.tenancy.context.TenantContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.messaging.Message;

/**
 * A tenant's seats in a service: one per user, so that quotas granted per user follow the
 * tenant's users. {@code user.created} adds the user's seat and {@code user.deleted}
 * removes it, each applied exactly once through the inbox. A redelivered
 * {@code user.created} never brings a deleted user's seat back: both events of a user are
 * keyed by the tenant, so the deletion comes after the creation on one partition, and the
 * creation's id is in the inbox when it is delivered again. (Only a dead-lettered
 * {@code user.created} replayed by hand after the deletion would add the seat again.) A
 * service that grants per-user quota binds this as a Spring Cloud Stream function on
 * {@code tierflow.user} and keeps the table in its tenant stores:
 *
 * <pre>
 * create table user_seat (
 *     tenant_id  uuid        not null,
 *     user_id    uuid        not null,
 *     event_id   text        not null,
 *     created_at timestamptz not null,
 *     primary key (tenant_id, user_id)
 * );
 * </pre>
 */
public class UserSeats implements Consumer<Message<byte[]>> {

	private static final Logger log = LoggerFactory.getLogger(UserSeats.class);

	private final String consumer;

	private final EventInbox inbox;

	private final JdbcClient jdbc;

	private final JsonMapper json;

	private final ForeignTenantEvents foreign;

	/**
	 * @param service the service's name, naming its inbox consumer
	 * @param meters where refused events are counted ({@link ForeignTenantEvents})
	 */
	public UserSeats(String service, EventInbox inbox, JdbcClient jdbc, JsonMapper json,
			@Nullable MeterRegistry meters) {
		this.consumer = service + ".seats";
		this.inbox = inbox;
		this.jdbc = jdbc;
		this.json = json;
		this.foreign = new ForeignTenantEvents(this.consumer, "userSeats-in-0", meters);
	}

	@Override
	public void accept(Message<byte[]> message) {
		DomainEvent event = DomainEvent.from(message);
		switch (event.type()) {
			case EventTypes.USER_CREATED -> created(event);
			case EventTypes.USER_DELETED -> deleted(event);
			default -> {
				// A role change, or any other user event, leaves the seats as they are.
			}
		}
	}

	private void created(DomainEvent event) {
		UserCreated user = event.data(this.json, UserCreated.class);
		requireUserOfTenant(event, user.userId(), user.tenantId());
		OffsetDateTime at = (event.time() != null) ? event.time() : OffsetDateTime.now();
		boolean added = this.inbox.handleOnce(this.consumer, event,
				() -> this.jdbc
					.sql("insert into user_seat (tenant_id, user_id, event_id, created_at) values (?, ?, ?, ?)"
							+ " on conflict do nothing")
					.params(event.tenantId(), user.userId(), event.id(), at)
					.update());
		if (added) {
			log.info("Seat added for user {} of tenant {}", user.userId(), event.tenantId());
		}
	}

	private void deleted(DomainEvent event) {
		UserDeleted user = event.data(this.json, UserDeleted.class);
		requireUserOfTenant(event, user.userId(), user.tenantId());
		boolean applied = this.inbox.handleOnce(this.consumer, event,
				() -> this.jdbc.sql("delete from user_seat where tenant_id = ? and user_id = ?")
					.params(event.tenantId(), user.userId())
					.update());
		if (applied) {
			log.info("Seat removed for user {} of tenant {}", user.userId(), event.tenantId());
		}
	}

	/**
	 * Refuses (and counts, when it names another tenant) an event about no user of its
	 * tenant.
	 */
	private void requireUserOfTenant(DomainEvent event, UUID userId, UUID tenantId) {
		this.foreign.requireOwnTenant(event, tenantId);
		if (userId == null || tenantId == null) {
			throw new MalformedEventException("Event " + event.id() + " names no user of tenant " + event.tenantId());
		}
	}

	/**
	 * Seats of the current tenant. Runs in the caller's transaction on the tenant's
	 * store.
	 */
	public int count() {
		UUID tenant = TenantContext.require();
		return this.jdbc.sql("select count(*) from user_seat where tenant_id = ?")
			.param(tenant)
			.query(Integer.class)
			.single();
	}

}
