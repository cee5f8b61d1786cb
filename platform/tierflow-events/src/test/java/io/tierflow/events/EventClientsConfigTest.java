package io.tierflow.events;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.junit.jupiter.api.Test;

import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The event plane's own producers (the outbox relay's, the dead-letter one) connect as
 * {@code spring.kafka.*} says, like the binder's clients: TLS and SASL settings reach
 * them, and what the event plane needs (acks=all, idempotence) holds whatever is set.
 */
class EventClientsConfigTest {

	@Test
	void producersTakeSecurityFromSpringKafka() {
		KafkaProperties kafka = new KafkaProperties();
		kafka.setBootstrapServers(List.of("broker-1:9093"));
		kafka.getSecurity().setProtocol("SASL_SSL");
		kafka.getProperties().put(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512");
		kafka.getProperties()
			.put(SaslConfigs.SASL_JAAS_CONFIG,
					"org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";");
		kafka.getProducer().setAcks("1");
		MockEnvironment env = new MockEnvironment().withProperty("spring.kafka.bootstrap-servers", "broker-1:9093")
			.withProperty("tierflow.tenancy.service", "billing");

		Map<String, Object> config = EventsAutoConfiguration.producerConfig(kafka, new EventsProperties(null, null),
				env, "tierflow-relay-");

		assertThat(config).containsEntry(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL")
			.containsEntry(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512")
			.containsKey(SaslConfigs.SASL_JAAS_CONFIG)
			.containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "broker-1:9093")
			.containsEntry(ProducerConfig.ACKS_CONFIG, "all")
			.containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
			.containsEntry(ProducerConfig.CLIENT_ID_CONFIG, "tierflow-relay-billing");
	}

}
