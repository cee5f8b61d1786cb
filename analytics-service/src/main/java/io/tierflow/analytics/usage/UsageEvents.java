package io.tierflow.analytics.usage;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierflow.events.DomainEvent;
import io.tierflow.events.EventTypes;
import io.tierflow.events.ForeignTenantEvents;
import io.tierflow.events.MalformedEventException;
import io.tierflow.events.file.FileDeleted;
import io.tierflow.events.file.FileUploaded;
import io.tierflow.events.inbox.EventInbox;
import io.tierflow.events.simulation.SimulationCompleted;
import io.tierflow.events.simulation.SimulationFailed;
import io.tierflow.events.simulation.SimulationStarted;
import io.tierflow.events.tenant.UserCreated;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Folds every domain event into the tenant's daily usage, in the tenant's own store. The
 * record's tenant is bound by the event backbone before this runs; each event is counted
 * in the transaction that records its id in the store's inbox, so a redelivered or
 * replayed event is counted once. An event whose data names another tenant than its
 * record is refused before it counts anywhere ({@link ForeignTenantEvents}): it goes to
 * the dead-letter topic. Bound as the Spring Cloud Stream function {@code domainEvents}.
 */
@Component("domainEvents")
class UsageEvents implements Consumer<Message<byte[]>> {

	static final String CONSUMER = "analytics.usage";

	static final String BINDING = "domainEvents-in-0";

	private static final Logger log = LoggerFactory.getLogger(UsageEvents.class);

	private final DailyUsageRepository usage;

	private final EventInbox inbox;

	private final JsonMapper json;

	private final ForeignTenantEvents foreign;

	UsageEvents(DailyUsageRepository usage, EventInbox inbox, JsonMapper json, ObjectProvider<MeterRegistry> meters) {
		this.usage = usage;
		this.inbox = inbox;
		this.json = json;
		this.foreign = new ForeignTenantEvents(CONSUMER, BINDING, meters.getIfAvailable());
	}

	@Override
	public void accept(Message<byte[]> message) {
		DomainEvent event = DomainEvent.from(message);
		Map<String, Long> amounts = new LinkedHashMap<>();
		OffsetDateTime at;
		switch (event.type()) {
			case EventTypes.SIMULATION_STARTED -> {
				SimulationStarted started = event.data(this.json, SimulationStarted.class);
				this.foreign.requireOwnTenant(event, started.tenantId());
				at = started.startedAt();
				amounts.put("runs_started", 1L);
			}
			case EventTypes.SIMULATION_COMPLETED -> {
				SimulationCompleted completed = event.data(this.json, SimulationCompleted.class);
				this.foreign.requireOwnTenant(event, completed.tenantId());
				at = completed.completedAt();
				amounts.put("runs_completed", 1L);
				amounts.put("iterations", completed.iterations());
				amounts.put("cpu_ms", completed.cpuMillis());
			}
			case EventTypes.SIMULATION_FAILED -> {
				SimulationFailed failed = event.data(this.json, SimulationFailed.class);
				this.foreign.requireOwnTenant(event, failed.tenantId());
				at = failed.failedAt();
				amounts.put("runs_failed", 1L);
				amounts.put("iterations", failed.iterationsDone());
			}
			case EventTypes.FILE_UPLOADED -> {
				FileUploaded uploaded = event.data(this.json, FileUploaded.class);
				this.foreign.requireOwnTenant(event, uploaded.tenantId());
				at = uploaded.uploadedAt();
				amounts.put("files_uploaded", 1L);
				amounts.put("bytes_uploaded", uploaded.bytes());
			}
			case EventTypes.FILE_DELETED -> {
				FileDeleted deleted = event.data(this.json, FileDeleted.class);
				this.foreign.requireOwnTenant(event, deleted.tenantId());
				at = deleted.deletedAt();
				amounts.put("files_deleted", 1L);
				amounts.put("bytes_deleted", deleted.bytes());
			}
			case EventTypes.USER_CREATED -> {
				this.foreign.requireOwnTenant(event, event.data(this.json, UserCreated.class).tenantId());
				at = null;
				amounts.put("users_created", 1L);
			}
			default -> {
				log.debug("Not a usage event: {} for tenant {}", event.type(), event.tenantId());
				return;
			}
		}
		LocalDate day = day((at != null) ? at : event.time(), event);
		this.inbox.handleOnce(CONSUMER, event, () -> this.usage.add(day, amounts));
	}

	/** The UTC day the event happened on: when it says so, else when it was emitted. */
	private static LocalDate day(OffsetDateTime at, DomainEvent event) {
		if (at == null) {
			throw new MalformedEventException("Event " + event.id() + " (" + event.type() + ") has no time");
		}
		return at.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
	}

}
