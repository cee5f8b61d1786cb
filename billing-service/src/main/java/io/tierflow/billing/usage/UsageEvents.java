package io.tierflow.billing.usage;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierflow.billing.pricing.PriceTier;
import io.tierflow.events.BatchMessages;
import io.tierflow.events.DomainEvent;
import io.tierflow.events.ErasedTenantEvents;
import io.tierflow.events.EventTypes;
import io.tierflow.events.ForeignTenantEvents;
import io.tierflow.events.MalformedEventException;
import io.tierflow.events.file.FileDeleted;
import io.tierflow.events.file.FileUploaded;
import io.tierflow.events.inbox.EventInbox;
import io.tierflow.events.simulation.SimulationCompleted;
import io.tierflow.events.tenant.TenantCreated;
import io.tierflow.events.tenant.TierChanged;
import io.tierflow.events.tenant.UserCreated;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantErasedException;
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
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Meters usage events exactly once: each becomes a usage record in the tenant's store,
 * which carries the event id, unique per tenant (the record is its own inbox entry); a
 * tier event becomes a tier period in the transaction that records its id in the store's
 * inbox. A redelivery or a replay finds the id and does nothing.
 *
 * <p>
 * The binding is batch-mode: a poll's records are metered together, one transaction per
 * tenant in the batch (its usage records written by one statement), not one per event.
 * Should a tenant's transaction fail, the batch is metered again one event at a time in
 * poll order (the inbox skips what is done), and the first event that still fails is
 * reported to the container with its index: the records before it are committed, it is
 * retried with the binding's back-off and then dead-lettered, and the rest are polled
 * again. A malformed event is dead-lettered at once, after the events before it are
 * metered.
 *
 * <p>
 * An event of a tenant that has no ready placement here yet (its tenant.created is still
 * being provisioned) is parked in the control database and metered once the tenant is
 * ready, never dropped and never blocking the partition. An event of a tenant erased here
 * (or being erased) is dropped and counted ({@link ErasedTenantEvents}): never metered,
 * never parked. Bound as the Spring Cloud Stream function {@code usageEvents}.
 */
@Component("usageEvents")
class UsageEvents implements Consumer<Message<List<byte[]>>> {

	static final String CONSUMER = "billing.usage";

	private static final Logger log = LoggerFactory.getLogger(UsageEvents.class);

	private final EventInbox inbox;

	private final UsageLedger ledger;

	private final TenantProvisioner provisioner;

	private final JsonMapper json;

	private final Clock clock;

	private final ParkedUsage parked;

	private final TransactionTemplate tx;

	private final ErasedTenantEvents erased;

	private final ForeignTenantEvents foreign;

	UsageEvents(EventInbox inbox, UsageLedger ledger, TenantProvisioner provisioner, ObjectProvider<JsonMapper> json,
			Clock clock, ParkedUsage parked, PlatformTransactionManager transactionManager, ErasedTenantEvents erased,
			ObjectProvider<MeterRegistry> meters) {
		this.foreign = new ForeignTenantEvents("billing.usage", "usageEvents-in-0", meters.getIfAvailable());
		this.parked = parked;
		this.erased = erased;
		this.tx = new TransactionTemplate(transactionManager);
		this.inbox = inbox;
		this.ledger = ledger;
		this.provisioner = provisioner;
		this.json = json.getIfAvailable(() -> JsonMapper.builder().build());
		this.clock = clock;
	}

	@Override
	public void accept(Message<List<byte[]>> batch) {
		List<byte[]> data = batch.getPayload();
		List<Map<String, Object>> headers = BatchMessages.recordHeaders(batch);
		List<Polled> metered = new ArrayList<>(data.size());
		Map<UUID, Boolean> erasedTenants = new HashMap<>();
		for (int i = 0; i < data.size(); i++) {
			Metering metering;
			try {
				metering = meteringOf(DomainEvent.from(headers.get(i), data.get(i)));
			}
			catch (MalformedEventException ex) {
				meter(metered);
				throw new BatchListenerFailedException(ex.getMessage(), ex, i);
			}
			if (metering != null && !dropped(metering.event(), erasedTenants)) {
				metered.add(new Polled(i, metering));
			}
		}
		meter(metered);
	}

	/**
	 * Whether the event is dropped because its tenant is erased here, counting it if so.
	 * Asked once per tenant of a batch, unless the tenant is erased: then each of its
	 * events is counted.
	 * @param erasedTenants the answers so far, by tenant
	 */
	boolean dropped(DomainEvent event, Map<UUID, Boolean> erasedTenants) {
		if (Boolean.FALSE.equals(erasedTenants.get(event.tenantId()))) {
			return false;
		}
		boolean drop = this.erased.drop(event.tenantId(), describe(event));
		erasedTenants.put(event.tenantId(), drop);
		return drop;
	}

	/** Applies a parked event (at most once, like a live one). */
	void apply(DomainEvent event) {
		Metering metering = meteringOf(event);
		if (metering != null) {
			apply(event.tenantId(), List.of(metering));
		}
	}

	/** Meters polled events: a transaction per tenant, else one per event. */
	private void meter(List<Polled> polled) {
		Map<UUID, List<Metering>> byTenant = new LinkedHashMap<>();
		for (Polled p : polled) {
			byTenant.computeIfAbsent(p.metering().event().tenantId(), (t) -> new ArrayList<>()).add(p.metering());
		}
		for (Map.Entry<UUID, List<Metering>> tenant : byTenant.entrySet()) {
			try {
				applyOrPark(tenant.getKey(), tenant.getValue());
			}
			catch (RuntimeException ex) {
				log.warn("Metering {} events of tenant {} failed ({}); metering the batch of {} one event at a time",
						tenant.getValue().size(), tenant.getKey(), ex.toString(), polled.size());
				meterOneByOne(polled);
				return;
			}
		}
	}

	private void meterOneByOne(List<Polled> polled) {
		for (Polled p : polled) {
			DomainEvent event = p.metering().event();
			try {
				applyOrPark(event.tenantId(), List.of(p.metering()));
			}
			catch (RuntimeException ex) {
				throw new BatchListenerFailedException(
						"Usage event " + event.id() + " of tenant " + event.tenantId() + " failed: " + ex, ex,
						p.index());
			}
		}
	}

	private void applyOrPark(UUID tenant, List<Metering> meterings) {
		try {
			apply(tenant, meterings);
		}
		catch (RuntimeException ex) {
			if (erasedMeanwhile(ex)) {
				// Its erase began after the batch was checked: dropped like the later
				// ones.
				for (Metering metering : meterings) {
					this.erased.drop(tenant, describe(metering.event()));
				}
				return;
			}
			String notReady = notReady(ex);
			if (notReady == null) {
				throw ex;
			}
			for (Metering metering : meterings) {
				this.parked.park(metering.event(), notReady);
			}
			log.info("{} usage events of tenant {} parked until the tenant is ready here: {}", meterings.size(), tenant,
					notReady);
		}
	}

	/**
	 * Meters a tenant's events in one transaction. A usage record is its own inbox entry:
	 * it carries the event id, unique per tenant, and one already recorded is skipped.
	 * Tier events go through the inbox.
	 */
	private void apply(UUID tenant, List<Metering> meterings) {
		List<DomainEvent> tierEvents = new ArrayList<>();
		Map<String, Metering> tiers = new LinkedHashMap<>();
		List<MeteredUsage> usage = new ArrayList<>(meterings.size());
		for (Metering metering : meterings) {
			DomainEvent event = metering.event();
			if (metering.tier() != null) {
				tierEvents.add(event);
				tiers.putIfAbsent(event.id(), metering);
			}
			else {
				usage.add(new MeteredUsage(event.id(), event.type(), metering.kind(), metering.quantity(),
						metering.at()));
			}
		}
		try (TenantContext.Scope scope = TenantContext.open(tenant)) {
			this.tx.executeWithoutResult((status) -> {
				if (!tierEvents.isEmpty()) {
					this.inbox.handleOnce(CONSUMER, tenant, tierEvents, (fresh) -> {
						for (DomainEvent event : fresh) {
							this.ledger.recordTier(event.id(), tiers.get(event.id()).tier(),
									tiers.get(event.id()).at());
						}
					});
				}
				this.ledger.recordAll(usage);
			});
		}
	}

	/** Whether the tenant's usage can be written here now. */
	boolean ready(UUID tenant) {
		return this.provisioner.find(tenant)
			.map((p) -> p.state() == PlacementState.READY && !p.suspended())
			.orElse(false);
	}

	/**
	 * Reads and checks the event and returns what it meters, or null if it is not
	 * metered.
	 * @throws MalformedEventException if it cannot ever be metered
	 */
	private Metering meteringOf(DomainEvent event) {
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

	private Metering usage(DomainEvent event, UsageKind kind, long quantity, OffsetDateTime occurredAt) {
		return new Metering(event, kind, quantity, null, occurredAt(event, occurredAt));
	}

	private Metering tier(DomainEvent event, Tier tier) {
		if (tier == null) {
			throw new MalformedEventException("Event " + event.id() + " names no tier");
		}
		return new Metering(event, null, 0, PriceTier.of(tier, this.provisioner.isolationFor(tier)),
				occurredAt(event, null));
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

	private static boolean erasedMeanwhile(Throwable ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t instanceof TenantErasedException) {
				return true;
			}
		}
		return false;
	}

	private static String describe(DomainEvent event) {
		return event.type() + " " + event.id();
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
		// Refused to the dead-letter topic and counted, without repeating the data's
		// tenant.
		this.foreign.requireOwnTenant(event, tenantOf.apply(data));
		return data;
	}

	/**
	 * What an event meters: usage ({@code kind} and {@code quantity}) or the start of a
	 * tier ({@code tier}), at {@code at}.
	 */
	private record Metering(DomainEvent event, UsageKind kind, long quantity, PriceTier tier, OffsetDateTime at) {
	}

	/** A metered event and its index in the polled batch. */
	private record Polled(int index, Metering metering) {
	}

}
