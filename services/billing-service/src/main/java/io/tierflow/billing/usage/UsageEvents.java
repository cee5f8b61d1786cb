package io.tierflow.billing.usage;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.function.Consumer;

import io.tierflow.billing.pricing.PriceTier;
import io.tierflow.events.DomainEvent;
import io.tierflow.events.EventTypes;
import io.tierflow.events.MalformedEventException;
import io.tierflow.events.file.FileDeleted;
import io.tierflow.events.file.FileUploaded;
import io.tierflow.events.inbox.EventInbox;
import io.tierflow.events.simulation.SimulationCompleted;
import io.tierflow.events.tenant.TenantCreated;
import io.tierflow.events.tenant.TierChanged;
import io.tierflow.events.tenant.UserCreated;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantNotReadyException;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.TenantSuspendedException;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.placement.UnknownTenantException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Meters usage events exactly once: each becomes a usage record (or a tier change) in the
 * tenant's store, in the transaction that records the event id in the store's inbox. A
 * redelivery or a replay finds the id and does nothing.
 *
 * <p>
 * An event of a tenant that has no ready placement here yet (its tenant.created is still
 * being provisioned) fails with the tenancy core's exception and is retried with the
 * binder's backoff; should it still fail, it goes to the dead-letter topic, from where it
 * can be replayed — never dropped. Bound as the Spring Cloud Stream function
 * {@code usageEvents}.
 */
@Component("usageEvents")
class UsageEvents implements Consumer<Message<byte[]>> {

	static final String CONSUMER = "billing.usage";

	private static final Logger log = LoggerFactory.getLogger(UsageEvents.class);

	private final EventInbox inbox;

	private final UsageLedger ledger;

	private final TenantProvisioner provisioner;

	private final JsonMapper json;

	private final Clock clock;

	private final ParkedUsage parked;

	UsageEvents(EventInbox inbox, UsageLedger ledger, TenantProvisioner provisioner, ObjectProvider<JsonMapper> json,
			Clock clock, ParkedUsage parked) {
		this.parked = parked;
		this.inbox = inbox;
		this.ledger = ledger;
		this.provisioner = provisioner;
		this.json = json.getIfAvailable(() -> JsonMapper.builder().build());
		this.clock = clock;
	}

	@Override
	public void accept(Message<byte[]> message) {
		DomainEvent event = DomainEvent.from(message);
		Runnable effect = effectOf(event);
		if (effect == null) {
			log.trace("Not metered: {} {}", event.type(), event.id());
			return;
		}
		try {
			effect.run();
		}
		catch (RuntimeException ex) {
			String notReady = notReady(ex);
			if (notReady == null) {
				throw ex;
			}
			this.parked.park(event, notReady);
			log.info("Usage event {} of tenant {} parked until the tenant is ready here: {}", event.id(),
					event.tenantId(), notReady);
		}
	}

	/** Applies a parked event (at most once, like a live one). */
	void apply(DomainEvent event) {
		Runnable effect = effectOf(event);
		if (effect != null) {
			effect.run();
		}
	}

	/** Whether the tenant's usage can be written here now. */
	boolean ready(UUID tenant) {
		return this.provisioner.find(tenant)
			.map((p) -> p.state() == PlacementState.READY && !p.suspended())
			.orElse(false);
	}

	/**
	 * Reads and checks the event and returns its effect, or null if it is not metered.
	 * @throws MalformedEventException if it cannot ever be metered
	 */
	private Runnable effectOf(DomainEvent event) {
		return switch (event.type()) {
			case EventTypes.SIMULATION_COMPLETED -> {
				SimulationCompleted run = read(event, SimulationCompleted.class, SimulationCompleted::tenantId);
				nonNegative(event, run.iterations());
				yield usage(event, UsageKind.ITERATIONS, run.iterations(), run.completedAt());
			}
			case EventTypes.FILE_UPLOADED -> {
				FileUploaded file = read(event, FileUploaded.class, FileUploaded::tenantId);
				nonNegative(event, file.bytes());
				yield usage(event, UsageKind.STORAGE_BYTES, file.bytes(), file.uploadedAt());
			}
			case EventTypes.FILE_DELETED -> {
				FileDeleted file = read(event, FileDeleted.class, FileDeleted::tenantId);
				nonNegative(event, file.bytes());
				yield usage(event, UsageKind.STORAGE_BYTES, -file.bytes(), file.deletedAt());
			}
			case EventTypes.USER_CREATED -> {
				read(event, UserCreated.class, UserCreated::tenantId);
				yield usage(event, UsageKind.USERS, 1, null);
			}
			case EventTypes.TENANT_CREATED ->
				tier(event, read(event, TenantCreated.class, TenantCreated::tenantId).tier());
			case EventTypes.TENANT_TIER_CHANGED ->
				tier(event, read(event, TierChanged.class, TierChanged::tenantId).toTier());
			default -> null;
		};
	}

	private Runnable usage(DomainEvent event, UsageKind kind, long quantity, OffsetDateTime occurredAt) {
		OffsetDateTime at = occurredAt(event, occurredAt);
		return () -> this.inbox.handleOnce(CONSUMER, event,
				() -> this.ledger.record(event.id(), event.type(), kind, quantity, at));
	}

	private Runnable tier(DomainEvent event, Tier tier) {
		if (tier == null) {
			throw new MalformedEventException("Event " + event.id() + " names no tier");
		}
		PriceTier priced = PriceTier.of(tier, this.provisioner.isolationFor(tier));
		OffsetDateTime at = occurredAt(event, null);
		return () -> this.inbox.handleOnce(CONSUMER, event, () -> this.ledger.recordTier(event.id(), priced, at));
	}

	/** Why the tenant's store cannot take the write now, if that is what failed. */
	private static String notReady(Throwable ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t instanceof UnknownTenantException || t instanceof TenantNotReadyException
					|| t instanceof TenantSuspendedException) {
				return t.getMessage();
			}
		}
		return null;
	}

	/** When it happened: the data's own time, else the event's, else now. */
	private OffsetDateTime occurredAt(DomainEvent event, OffsetDateTime occurredAt) {
		if (occurredAt != null) {
			return occurredAt;
		}
		return (event.time() != null) ? event.time() : OffsetDateTime.now(this.clock);
	}

	private static void nonNegative(DomainEvent event, long quantity) {
		if (quantity < 0) {
			throw new MalformedEventException("Event " + event.id() + " has a negative quantity " + quantity);
		}
	}

	private <T> T read(DomainEvent event, Class<T> type, java.util.function.Function<T, UUID> tenantOf) {
		T data;
		try {
			data = this.json.readValue(event.data(), type);
		}
		catch (JacksonException | IllegalArgumentException ex) {
			throw new MalformedEventException("Event " + event.id() + " has unreadable data: " + ex.getMessage());
		}
		if (data == null) {
			throw new MalformedEventException("Event " + event.id() + " has no data");
		}
		UUID tenant = tenantOf.apply(data);
		if (tenant != null && !tenant.equals(event.tenantId())) {
			throw new MalformedEventException(
					"Event " + event.id() + " is for tenant " + event.tenantId() + " but its data names " + tenant);
		}
		return data;
	}

}
