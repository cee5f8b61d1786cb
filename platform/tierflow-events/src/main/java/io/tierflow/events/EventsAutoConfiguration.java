package io.tierflow.events;

import java.net.URI;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventSerializer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.tierflow.events.inbox.EventInbox;
import io.tierflow.events.outbox.Outbox;
import io.tierflow.events.outbox.OutboxLocation;
import io.tierflow.events.outbox.OutboxRelay;
import io.tierflow.events.outbox.StoreOutboxes;
import io.tierflow.events.provisioning.ArchiveParticipant;
import io.tierflow.events.provisioning.ErasureParticipant;
import io.tierflow.events.provisioning.ProvisioningReplies;
import io.tierflow.events.provisioning.TenantLifecycleParticipant;
import io.tierflow.events.provisioning.TierChangeParticipant;
import io.tierflow.events.tracing.EventTraces;
import io.tierflow.tenancy.TenancyAutoConfiguration;
import io.tierflow.tenancy.TenancyBootstrap;
import io.tierflow.tenancy.TenancyProperties;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.routing.PlacementDirectory;
import io.tierflow.tenancy.routing.PlacementPools;
import io.tierflow.tenancy.routing.TenantRoute;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.stream.config.ListenerContainerCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Outbox, relay and inbox for a service. In a tenant-data service (tenancy core active)
 * there is an outbox in every store, for tenant data, and one in the control database,
 * for saga replies; the relay sweeps all of them. In tenant-service there is one, in its
 * own database.
 */
@AutoConfiguration(after = TenancyAutoConfiguration.class,
		afterName = { "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
				"org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration",
				"org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
				"org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration" })
@EnableConfigurationProperties(EventsProperties.class)
public class EventsAutoConfiguration {

	/** Qualifier of the control database's event beans. */
	public static final String CONTROL = TenancyAutoConfiguration.CONTROL;

	/**
	 * The trace context events carry from the outbox to their consumers, on Micrometer
	 * Tracing's tracer; none when the service has no tracer.
	 */
	@Bean
	@ConditionalOnMissingBean
	EventTraces eventTraces(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
		Tracer t = tracer.getIfAvailable();
		Propagator p = propagator.getIfAvailable();
		return (t != null && p != null) ? new EventTraces(t, p) : EventTraces.NONE;
	}

	@Bean(destroyMethod = "")
	@ConditionalOnMissingBean(name = "tierflowEventProducer")
	Producer<String, CloudEvent> tierflowEventProducer(EventsProperties properties, Environment env,
			ObjectProvider<KafkaProperties> kafka) {
		Map<String, Object> config = producerConfig(kafka.getIfAvailable(KafkaProperties::new), properties, env,
				"tierflow-relay-");
		config.put(ProducerConfig.LINGER_MS_CONFIG, 1);
		return new KafkaProducer<>(config, new StringSerializer(), new CloudEventSerializer());
	}

	/**
	 * Every Kafka binding's listener runs each record with the record's tenant bound;
	 * batch bindings retry and dead-letter record by record; every dead letter is counted
	 * ({@value DeadLetters#METER}).
	 */
	@Bean
	@ConditionalOnMissingBean(ListenerContainerCustomizer.class)
	ListenerContainerCustomizer<AbstractMessageListenerContainer<?, ?>> tierflowListenerContainers(
			EventsProperties properties, Environment env, ObjectProvider<ErasedTenantEvents> erased,
			ObjectProvider<KafkaProperties> kafka, ObjectProvider<MeterRegistry> meters) {
		Map<String, Object> config = producerConfig(kafka.getIfAvailable(KafkaProperties::new), properties, env,
				"tierflow-dlq-");
		// Binder bindings consume raw bytes; the producer is created on the first dead
		// letter only, and closed with the customizer.
		DefaultKafkaProducerFactory<byte[], byte[]> producers = new DefaultKafkaProducerFactory<>(config,
				new ByteArraySerializer(), new ByteArraySerializer());
		return new TierflowListenerContainers(producers, erased::getIfAvailable,
				new DeadLetters(serviceName(env), meters.getIfAvailable()));
	}

	/**
	 * A producer's configuration built from Spring Boot's {@code spring.kafka.*}
	 * ({@link KafkaProperties}: security protocol, SSL, SASL and any
	 * {@code spring.kafka.properties.*}), so that every client of the service connects
	 * the same way the binder's do; then what the event plane needs whatever is
	 * configured: every replica acknowledges, idempotent sends.
	 */
	static Map<String, Object> producerConfig(KafkaProperties kafka, EventsProperties properties, Environment env,
			String clientIdPrefix) {
		Map<String, Object> config = new HashMap<>(kafka.buildProducerProperties());
		// Serializers are given as instances.
		config.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
		config.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
		config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(properties, env));
		config.put(ProducerConfig.ACKS_CONFIG, "all");
		config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
		config.put(ProducerConfig.CLIENT_ID_CONFIG, clientIdPrefix + serviceName(env));
		return config;
	}

	private static String bootstrapServers(EventsProperties properties, Environment env) {
		return (properties.bootstrapServers() != null) ? properties.bootstrapServers()
				: env.getProperty("spring.kafka.bootstrap-servers", "localhost:9092");
	}

	static String serviceName(Environment env) {
		return env.getProperty("tierflow.tenancy.service", env.getProperty("spring.application.name", "tierflow"));
	}

	static JsonMapper json(ObjectProvider<JsonMapper> json) {
		return json.getIfAvailable(() -> JsonMapper.builder().build());
	}

	/**
	 * Events of a tenant-data service: outboxes in every store and in the control
	 * database.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(PlacementDirectory.class)
	static class TenantDataEvents {

		@Bean
		OutboxRelay outboxRelay(Environment env, Producer<String, CloudEvent> tierflowEventProducer,
				EventsProperties properties, PlacementRepository placements,
				@Qualifier(CONTROL) TransactionTemplate controlTx, @Qualifier(CONTROL) DataSource control,
				PlacementPools pools, EventTraces traces) {
			StoreOutboxes outboxes = new StoreOutboxes(control, controlTx, placements, pools);
			return new OutboxRelay(URI.create("//tierflow/" + serviceName(env)), tierflowEventProducer, outboxes::every,
					properties.relay().sweepInterval(), properties.relay().batchSize(), properties.relay().workers(),
					properties.relay().outboxesPerSweep(), properties.relay().coldPerSweep(), traces);
		}

		@Bean
		@Primary
		Outbox outbox(JdbcClient jdbcClient, ObjectProvider<JsonMapper> json, OutboxRelay relay,
				PlacementDirectory directory, PlacementPools pools, EventTraces traces) {
			return new Outbox(jdbcClient, json(json), relay, () -> {
				TenantRoute route = directory.route(TenantContext.require());
				return StoreOutboxes.of(pools, route.placement().cluster(), route.placement().database(),
						route.schema());
			}, traces);
		}

		@Bean
		@Qualifier(CONTROL)
		Outbox controlOutbox(@Qualifier(CONTROL) JdbcClient control, @Qualifier(CONTROL) DataSource controlDataSource,
				ObjectProvider<JsonMapper> json, OutboxRelay relay, EventTraces traces) {
			OutboxLocation location = new OutboxLocation("control", controlDataSource, TenancyBootstrap.CONTROL_SCHEMA);
			return new Outbox(control, json(json), relay, () -> location, traces);
		}

		@Bean
		@Primary
		EventInbox eventInbox(JdbcClient jdbcClient, PlatformTransactionManager transactionManager) {
			return new EventInbox(jdbcClient, new TransactionTemplate(transactionManager));
		}

		@Bean
		@Qualifier(CONTROL)
		EventInbox controlInbox(@Qualifier(CONTROL) JdbcClient control,
				@Qualifier(CONTROL) TransactionTemplate controlTx) {
			return new EventInbox(control, controlTx);
		}

		@Bean
		TenantLifecycleParticipant tenantLifecycle(TenancyProperties properties, TenantProvisioner provisioner,
				PlacementRepository placements, PlacementDirectory directory,
				@Qualifier(CONTROL) EventInbox controlInbox, @Qualifier(CONTROL) Outbox controlOutbox,
				ObjectProvider<JsonMapper> json, ObjectProvider<TierChangeParticipant> tierChanges,
				ObjectProvider<ErasureParticipant> erasures, ObjectProvider<ArchiveParticipant> archives) {
			return new TenantLifecycleParticipant(properties.service(), provisioner, placements, directory,
					controlInbox, controlOutbox, json(json),
					tierChanges.getIfAvailable(() -> TierChangeParticipant.NONE),
					erasures.getIfAvailable(() -> ErasureParticipant.NONE),
					archives.getIfAvailable(() -> ArchiveParticipant.NONE));
		}

		@Bean
		ErasedTenantEvents erasedTenantEvents(PlacementDirectory directory, ObjectProvider<MeterRegistry> meters) {
			return new ErasedTenantEvents(directory::erased, meters.getIfAvailable());
		}

		@Bean
		ProvisioningReplies provisioningReplies(TenancyProperties properties,
				@Qualifier(CONTROL) Outbox controlOutbox) {
			return new ProvisioningReplies(properties.service(), controlOutbox);
		}

	}

	/** Events of a single-database service (tenant-service). */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingBean(PlacementDirectory.class)
	@ConditionalOnBean(DataSource.class)
	static class SingleDatabaseEvents {

		@Bean
		OutboxRelay outboxRelay(Environment env, Producer<String, CloudEvent> tierflowEventProducer,
				EventsProperties properties, DataSource dataSource, EventTraces traces) {
			OutboxLocation location = new OutboxLocation("main", dataSource, "public");
			Collection<OutboxLocation> all = List.of(location);
			return new OutboxRelay(URI.create("//tierflow/" + serviceName(env)), tierflowEventProducer, () -> all,
					properties.relay().sweepInterval(), properties.relay().batchSize(), properties.relay().workers(),
					traces);
		}

		@Bean
		Outbox outbox(JdbcClient jdbcClient, DataSource dataSource, ObjectProvider<JsonMapper> json, OutboxRelay relay,
				EventTraces traces) {
			OutboxLocation location = new OutboxLocation("main", dataSource, "public");
			return new Outbox(jdbcClient, json(json), relay, () -> location, traces);
		}

		@Bean
		EventInbox eventInbox(JdbcClient jdbcClient, PlatformTransactionManager transactionManager) {
			return new EventInbox(jdbcClient, new TransactionTemplate(transactionManager));
		}

	}

}
