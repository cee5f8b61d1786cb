package io.tierflow.testsupport;

/**
 * Address of a running Kafka cluster, whichever way it was obtained (an address from the
 * environment, a Testcontainers container or an in-JVM KRaft broker), in the form clients
 * take for {@code bootstrap.servers}.
 *
 * @param bootstrapServers comma-separated {@code host:port} pairs
 */
public record KafkaServer(String bootstrapServers) {

}
