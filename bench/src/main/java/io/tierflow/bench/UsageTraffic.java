package io.tierflow.bench;

import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.file.FileUploaded;
import io.tierflow.events.simulation.SimulationCompleted;
import io.tierflow.events.tenant.TenantCreated;
import io.tierflow.tenancy.placement.Tier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import tools.jackson.databind.json.JsonMapper;

/**
 * The benchmark's tenants and their usage events, as the producing services' outbox
 * relays publish them: CloudEvents in binary mode ({@code ce_*} headers, the tenant in
 * the {@code tenantid} extension), key = tenant id, JSON data. Four in five events are
 * {@code simulation.completed}, one in five {@code file.uploaded}, each of a random
 * tenant; one in a hundred is sent a second time, the same record (same id, same bytes),
 * half of them right away and half a thousand events later.
 */
final class UsageTraffic {

	/** A tenant of the benchmark. */
	record Tenant(UUID id, Tier tier) {
	}

	private static final URI TENANT_SOURCE = URI.create("//tierflow/tenant");

	private static final URI SIMULATION_SOURCE = URI.create("//tierflow/simulation");

	private static final URI FILE_SOURCE = URI.create("//tierflow/file");

	/** Every how many events one is sent twice. */
	private static final int DUPLICATE_EVERY = 100;

	/** How many events later a delayed second copy goes. */
	private static final int DUPLICATE_DELAY = 1000;

	private final List<Tenant> tenants;

	private final JsonMapper json = JsonMapper.builder().build();

	private final SplittableRandom random = new SplittableRandom(20261123);

	/** 1 ENTERPRISE, up to 4 DEDICATED, the rest SHARED. */
	UsageTraffic(int tenants) {
		List<Tenant> all = new ArrayList<>();
		for (int i = 0; i < tenants; i++) {
			Tier tier = (i == 0) ? Tier.ENTERPRISE : (i <= 4) ? Tier.DEDICATED : Tier.SHARED;
			all.add(new Tenant(UUID.randomUUID(), tier));
		}
		this.tenants = Collections.unmodifiableList(all);
	}

	/** Usage events of the given tenants (created elsewhere, e.g. through the API). */
	UsageTraffic(List<Tenant> tenants) {
		this.tenants = List.copyOf(tenants);
	}

	List<Tenant> tenants() {
		return this.tenants;
	}

	/** Each tenant's tier. */
	Map<UUID, Tier> tiers() {
		Map<UUID, Tier> tiers = new HashMap<>();
		this.tenants.forEach((t) -> tiers.put(t.id(), t.tier()));
		return tiers;
	}

	List<UUID> tenantIds() {
		return this.tenants.stream().map(Tenant::id).toList();
	}

	String describeTenants() {
		return String.format(Locale.ROOT, "%d tenants (%d ENTERPRISE, %d DEDICATED, %d SHARED)", this.tenants.size(),
				count(Tier.ENTERPRISE), count(Tier.DEDICATED), count(Tier.SHARED));
	}

	private long count(Tier tier) {
		return this.tenants.stream().filter((t) -> t.tier() == tier).count();
	}

	/** tenant.created of every tenant, as tenant-service's relay publishes it. */
	void createTenants(Producer<String, CloudEvent> producer, SentEvents sent) {
		int n = 0;
		for (Tenant tenant : this.tenants) {
			n++;
			String plan = switch (tenant.tier()) {
				case SHARED -> "STANDARD";
				case DEDICATED -> "PROFESSIONAL";
				case ENTERPRISE -> "ENTERPRISE";
			};
			TenantCreated data = new TenantCreated(tenant.id(), "Bench tenant " + n, "bench-tenant-" + n, plan,
					tenant.tier(), "eu");
			long now = System.nanoTime();
			CloudEvent event = event(TENANT_SOURCE, EventTypes.TENANT_CREATED, tenant.id(), tenant.id().toString(),
					sent.instantAt(now), data);
			send(producer, new ProducerRecord<>(Topics.TENANT, tenant.id().toString(), event), sent);
			sent.sent(event.getId(), now, now);
		}
		producer.flush();
		sent.checkAllSent();
	}

	/**
	 * Sends {@code n} events as fast as the producer takes them, each stamped with the
	 * time it is sent.
	 * @param topic where all go, or null for each type's own topic
	 */
	void burst(Producer<String, CloudEvent> producer, int n, String topic, SentEvents sent) {
		ArrayDeque<Later> later = new ArrayDeque<>();
		for (int i = 0; i < n; i++) {
			long now = System.nanoTime();
			ProducerRecord<String, CloudEvent> record = next(topic, sent.instantAt(now));
			send(producer, record, sent);
			sent.sent(record.value().getId(), now, System.nanoTime());
			duplicates(producer, i, record, later, sent);
		}
		drain(producer, later, sent);
		producer.flush();
		sent.checkAllSent();
	}

	/**
	 * Sends {@code perSecond} events a second for {@code seconds} on a fixed schedule,
	 * each stamped with its scheduled time. A sender that falls behind sends what is due
	 * at once and keeps the schedule, so latencies measured from the scheduled time
	 * include any delay the system under test caused (no coordinated omission). It parks
	 * between sends rather than spinning: the cores are shared with what is measured.
	 * @param topic where all go, or null for each type's own topic
	 */
	void paced(Producer<String, CloudEvent> producer, int perSecond, int seconds, String topic, SentEvents sent) {
		int n = perSecond * seconds;
		ArrayDeque<Later> later = new ArrayDeque<>();
		long start = System.nanoTime() + 10_000_000;
		double periodNanos = 1e9 / perSecond;
		for (int i = 0; i < n; i++) {
			long scheduled = start + (long) (i * periodNanos);
			long now;
			while ((now = System.nanoTime()) < scheduled) {
				LockSupport.parkNanos(scheduled - now);
			}
			ProducerRecord<String, CloudEvent> record = next(topic, sent.instantAt(scheduled));
			send(producer, record, sent);
			sent.sent(record.value().getId(), scheduled, now);
			duplicates(producer, i, record, later, sent);
		}
		drain(producer, later, sent);
		producer.flush();
		sent.checkAllSent();
	}

	private void duplicates(Producer<String, CloudEvent> producer, int i, ProducerRecord<String, CloudEvent> record,
			ArrayDeque<Later> later, SentEvents sent) {
		if (i % DUPLICATE_EVERY == 0) {
			if (i % (2 * DUPLICATE_EVERY) == 0) {
				sendAgain(producer, record, sent);
			}
			else {
				later.add(new Later(i + DUPLICATE_DELAY, record));
			}
		}
		while (!later.isEmpty() && later.peek().due() <= i) {
			sendAgain(producer, later.poll().record(), sent);
		}
	}

	private static void drain(Producer<String, CloudEvent> producer, ArrayDeque<Later> later, SentEvents sent) {
		while (!later.isEmpty()) {
			sendAgain(producer, later.poll().record(), sent);
		}
	}

	/**
	 * The same key and CloudEvent in a new record: the serializer writes the headers into
	 * the record, so a sent record cannot be sent again as it is.
	 */
	private static void sendAgain(Producer<String, CloudEvent> producer, ProducerRecord<String, CloudEvent> record,
			SentEvents sent) {
		send(producer, new ProducerRecord<>(record.topic(), record.key(), record.value()), sent);
		sent.sentAgain();
	}

	private static void send(Producer<String, CloudEvent> producer, ProducerRecord<String, CloudEvent> record,
			SentEvents sent) {
		producer.send(record, (metadata, ex) -> {
			if (ex != null) {
				sent.failed(ex);
			}
		});
	}

	/** A usage event of a random tenant, that happened at {@code at}. */
	ProducerRecord<String, CloudEvent> next(String topic, Instant at) {
		UUID tenant = this.tenants.get(this.random.nextInt(this.tenants.size())).id();
		OffsetDateTime time = OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
		UUID resource = UUID.randomUUID();
		CloudEvent event;
		String ownTopic;
		if (this.random.nextInt(5) < 4) {
			long iterations = 10_000 + this.random.nextLong(1_000_000);
			SimulationCompleted data = new SimulationCompleted(tenant, resource, UUID.randomUUID(), iterations,
					iterations / 5_000, iterations / 4_000, "user-bench", time);
			event = event(SIMULATION_SOURCE, EventTypes.SIMULATION_COMPLETED, tenant, resource.toString(), at, data);
			ownTopic = Topics.SIMULATION;
		}
		else {
			long bytes = 1_000 + this.random.nextLong(10_000_000);
			FileUploaded data = new FileUploaded(tenant, resource, "bench-" + resource + ".csv", "text/csv", bytes,
					"%064x".formatted(this.random.nextLong() & Long.MAX_VALUE), "user-bench", time);
			event = event(FILE_SOURCE, EventTypes.FILE_UPLOADED, tenant, resource.toString(), at, data);
			ownTopic = Topics.FILE;
		}
		return new ProducerRecord<>((topic != null) ? topic : ownTopic, tenant.toString(), event);
	}

	private CloudEvent event(URI source, String type, UUID tenant, String subject, Instant at, Object data) {
		return CloudEventBuilder.v1()
			.withId(UUID.randomUUID().toString())
			.withSource(source)
			.withType(type)
			.withTime(OffsetDateTime.ofInstant(at, ZoneOffset.UTC))
			.withExtension("tenantid", tenant.toString())
			.withSubject(subject)
			.withDataContentType("application/json")
			.withData(this.json.writeValueAsBytes(data))
			.build();
	}

	/** A second copy of a record, to be sent once event {@code due} is sent. */
	private record Later(int due, ProducerRecord<String, CloudEvent> record) {
	}

}
