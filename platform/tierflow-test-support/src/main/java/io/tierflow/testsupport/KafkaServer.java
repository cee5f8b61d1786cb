package io.tierflow.testsupport;

import java.util.HashMap;
import java.util.Map;

/**
 * Address of a running Kafka cluster, whichever way it was obtained (an address from the
 * environment, a Testcontainers container or an in-JVM KRaft broker), in the form clients
 * take for {@code bootstrap.servers}, and the security settings every client needs to
 * connect (SASL/SCRAM for the in-JVM test broker, none for a plaintext one).
 *
 * @param bootstrapServers comma-separated {@code host:port} pairs
 * @param security client properties such as {@code security.protocol},
 * {@code sasl.mechanism} and {@code sasl.jaas.config}
 */
public record KafkaServer(String bootstrapServers, Map<String, String> security) {

	public KafkaServer(String bootstrapServers) {
		this(bootstrapServers, Map.of());
	}

	public KafkaServer {
		security = Map.copyOf(security);
	}

	/**
	 * Configuration for a client of this cluster: the address and the security settings.
	 */
	public Map<String, Object> clientConfig() {
		Map<String, Object> config = new HashMap<>(this.security);
		config.put("bootstrap.servers", this.bootstrapServers);
		return config;
	}

	/** {@link #clientConfig()} with {@code extra} settings added. */
	public Map<String, Object> clientConfig(Map<String, ?> extra) {
		Map<String, Object> config = clientConfig();
		config.putAll(extra);
		return config;
	}

	/**
	 * The security settings as Spring Boot properties ({@code spring.kafka.*}), which the
	 * binder, Spring Kafka and Tierflow's own producers all read.
	 */
	public Map<String, String> springProperties() {
		Map<String, String> properties = new HashMap<>();
		this.security.forEach((name, value) -> {
			if (name.equals("security.protocol")) {
				properties.put("spring.kafka.security.protocol", value);
			}
			else {
				properties.put("spring.kafka.properties." + name, value);
			}
		});
		return properties;
	}

}
