package io.tierflow.tenant.notification;

import java.util.Set;
import java.util.function.Consumer;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierflow.events.DomainEvent;
import io.tierflow.events.EventTypes;
import io.tierflow.events.ForeignTenantEvents;
import io.tierflow.events.MalformedEventException;
import io.tierflow.events.inbox.EventInbox;
import io.tierflow.events.simulation.SimulationCompleted;
import io.tierflow.events.simulation.SimulationFailed;
import io.tierflow.events.tenant.UserCreated;
import io.tierflow.events.tenant.UserDeleted;
import io.tierflow.tenant.tenant.ErasedTenants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Turns domain events into notifications for the users they concern: a welcome for a new
 * user, the end of a user's simulation. A deleted user's notifications go: those the
 * deletion found, and a welcome written after it from a user.created still queued ahead
 * of the user.deleted on the topic. Each event is applied once (the inbox records it in
 * the same transaction). The events of a tenant whose erase has started are dropped
 * before they reach the inbox; an event whose data names another tenant than its record
 * is refused before it writes anything ({@link ForeignTenantEvents}) and goes to the
 * dead-letter topic. Bound as the Spring Cloud Stream function {@code notifications}.
 */
@Component("notifications")
class NotificationEvents implements Consumer<Message<byte[]>> {

	static final String CONSUMER = "tenant-service.notifications";

	static final String BINDING = "notifications-in-0";

	/** The events that may notify someone or forget someone; the others pass by. */
	private static final Set<String> HANDLED = Set.of(EventTypes.USER_CREATED, EventTypes.USER_DELETED,
			EventTypes.SIMULATION_COMPLETED, EventTypes.SIMULATION_FAILED);

	private static final Logger log = LoggerFactory.getLogger(NotificationEvents.class);

	private final NotificationRepository notifications;

	private final EventInbox inbox;

	private final JsonMapper json;

	private final ErasedTenants erased;

	private final TransactionTemplate tx;

	private final ForeignTenantEvents foreign;

	NotificationEvents(NotificationRepository notifications, EventInbox inbox, JsonMapper json, ErasedTenants erased,
			PlatformTransactionManager transactions, ObjectProvider<MeterRegistry> meters) {
		this.notifications = notifications;
		this.inbox = inbox;
		this.json = json;
		this.erased = erased;
		this.tx = new TransactionTemplate(transactions);
		this.foreign = new ForeignTenantEvents(CONSUMER, BINDING, meters.getIfAvailable());
	}

	@Override
	public void accept(Message<byte[]> message) {
		DomainEvent event = DomainEvent.from(message);
		if (!HANDLED.contains(event.type())) {
			log.debug("No notification for {}", event.type());
			return;
		}
		// The inbox joins this transaction, so a dropped event leaves no inbox row
		// behind.
		this.tx.executeWithoutResult((status) -> {
			if (!this.erased.drop(event)) {
				apply(event);
			}
		});
	}

	/**
	 * Applies the event. Each case checks the data's tenant before it writes: a refusal
	 * rolls back the transaction, which has only read so far.
	 */
	private void apply(DomainEvent event) {
		switch (event.type()) {
			case EventTypes.USER_CREATED -> {
				UserCreated user = event.data(this.json, UserCreated.class);
				this.foreign.requireOwnTenant(event, user.tenantId());
				notify(event, user.userId().toString(), "WELCOME", "Welcome to Tierflow, " + user.name(),
						"Your account " + user.email() + " is ready.");
			}
			case EventTypes.USER_DELETED -> {
				UserDeleted user = event.data(this.json, UserDeleted.class);
				this.foreign.requireOwnTenant(event, user.tenantId());
				if (user.userId() == null) {
					throw new MalformedEventException("Event " + event.id() + " names no user");
				}
				this.inbox.handleOnce(CONSUMER, event,
						() -> this.notifications.deleteAllOf(event.tenantId(), user.userId().toString()));
			}
			case EventTypes.SIMULATION_COMPLETED -> {
				SimulationCompleted run = event.data(this.json, SimulationCompleted.class);
				this.foreign.requireOwnTenant(event, run.tenantId());
				notify(event, run.requestedBy(), "SIMULATION_COMPLETED", "Simulation finished",
						String.format(java.util.Locale.ROOT, "Run %s finished: %,d iterations in %.1f s.", run.runId(),
								run.iterations(), run.durationMillis() / 1000.0));
			}
			case EventTypes.SIMULATION_FAILED -> {
				SimulationFailed run = event.data(this.json, SimulationFailed.class);
				this.foreign.requireOwnTenant(event, run.tenantId());
				if (!run.cancelled()) { // the user cancelled it: nothing to tell
					notify(event, run.requestedBy(), "SIMULATION_FAILED", "Simulation failed",
							"Run " + run.runId() + " failed: " + run.reason());
				}
			}
			default -> log.debug("No notification for {}", event.type());
		}
	}

	private void notify(DomainEvent event, String recipient, String kind, String title, String body) {
		if (recipient == null || recipient.isBlank()) {
			throw new MalformedEventException("Event " + event.id() + " names no user to notify");
		}
		this.inbox.handleOnce(CONSUMER, event, () -> {
			if (!this.notifications.insert(event.tenantId(), recipient, kind, title, body, event.id())) {
				log.warn("No notification for {} of unknown tenant {}", event.type(), event.tenantId());
			}
		});
	}

}
