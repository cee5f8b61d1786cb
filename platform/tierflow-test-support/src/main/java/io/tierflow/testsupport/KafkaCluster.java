package io.tierflow.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka cluster of KRaft nodes, each a process of its own (broker and controller in
 * one), as a production cluster is shaped: replication factor 3 and
 * {@code min.insync.replicas} 2 for every topic, the offsets and transaction logs
 * included, no unclean leader election. Topics are auto-created with three partitions.
 * Nodes can be killed ({@code SIGKILL}), restarted on their data, paused
 * ({@code SIGSTOP}) and resumed, to inject the faults a cluster must survive. Node
 * {@code i} serves clients on {@code basePort + i} and its controller on
 * {@code basePort + nodes + i}, all on 127.0.0.1, plaintext.
 */
public final class KafkaCluster implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(KafkaCluster.class);

	private static final List<String> JVM_OPTIONS = List.of("-Xmx384m", "-Xms128m", "-XX:+UseSerialGC",
			"-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true");

	private static final String HOST = "127.0.0.1";

	private final Path dir;

	private final int basePort;

	private final int size;

	private final Process[] nodes;

	private final Thread reaper;

	private KafkaCluster(Path dir, int basePort, int size) {
		this.dir = dir;
		this.basePort = basePort;
		this.size = size;
		this.nodes = new Process[size];
		this.reaper = new Thread(this::destroyAll, "kafka-cluster-reaper");
		Runtime.getRuntime().addShutdownHook(this.reaper);
	}

	/**
	 * Formats (unless already formatted) and starts the nodes, returning once every one
	 * is a live broker of the cluster.
	 * @param dir where each node's data and log go ({@code node-<i>})
	 * @param basePort the first node's client port
	 * @param size the number of nodes: 3 for replication factor 3
	 */
	public static KafkaCluster start(Path dir, int basePort, int size) {
		long startedAt = System.nanoTime();
		KafkaCluster cluster = new KafkaCluster(dir.toAbsolutePath(), basePort, size);
		try {
			Files.createDirectories(cluster.dir);
			Path clusterIdFile = cluster.dir.resolve("cluster.id");
			if (!Files.exists(clusterIdFile)) {
				Files.writeString(clusterIdFile, Uuid.randomUuid().toString(), StandardCharsets.UTF_8);
			}
			String clusterId = Files.readString(clusterIdFile, StandardCharsets.UTF_8).trim();
			for (int i = 0; i < size; i++) {
				cluster.writeConfig(i);
				if (!Files.exists(cluster.dataDir(i).resolve("meta.properties"))) {
					cluster.format(i, clusterId);
				}
			}
			for (int i = 0; i < size; i++) {
				cluster.launch(i);
			}
			cluster.awaitBrokers(size, Duration.ofMinutes(3));
		}
		catch (IOException ex) {
			cluster.close();
			throw new UncheckedIOException(ex);
		}
		catch (RuntimeException ex) {
			cluster.close();
			throw ex;
		}
		log.info("Kafka cluster of {} KRaft nodes at {} started in {} ms", size, cluster.server().bootstrapServers(),
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt));
		return cluster;
	}

	/** The cluster's address: every node. */
	public KafkaServer server() {
		List<String> addresses = new ArrayList<>();
		for (int i = 0; i < this.size; i++) {
			addresses.add(HOST + ":" + clientPort(i));
		}
		return new KafkaServer(String.join(",", addresses));
	}

	public int size() {
		return this.size;
	}

	/** The process id of node {@code i}, or -1 when it is not running. */
	public long pid(int node) {
		Process process = this.nodes[node];
		return (process != null && process.isAlive()) ? process.pid() : -1;
	}

	/** Kills node {@code i} at once ({@code SIGKILL}): no clean shutdown. */
	public void kill(int node) {
		Process process = this.nodes[node];
		if (process != null) {
			process.destroyForcibly();
			try {
				process.waitFor(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		log.info("Kafka node {} killed", node);
	}

	/**
	 * Starts node {@code i} again on its data and waits until the cluster counts it as a
	 * broker again.
	 */
	public void restart(int node) {
		if (pid(node) != -1) {
			throw new IllegalStateException("Kafka node " + node + " is running");
		}
		launch(node);
		awaitBrokers(this.size, Duration.ofMinutes(2));
		log.info("Kafka node {} restarted", node);
	}

	/** Freezes node {@code i} ({@code SIGSTOP}): alive, silent. */
	public void pause(int node) {
		signal(node, "STOP");
	}

	/** Wakes a paused node ({@code SIGCONT}). */
	public void resume(int node) {
		signal(node, "CONT");
	}

	/** Stops every node, cleanly. */
	@Override
	public void close() {
		for (Process process : this.nodes) {
			if (process != null) {
				process.destroy();
			}
		}
		for (Process process : this.nodes) {
			if (process != null) {
				try {
					if (!process.waitFor(30, TimeUnit.SECONDS)) {
						process.destroyForcibly();
					}
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					process.destroyForcibly();
				}
			}
		}
		try {
			Runtime.getRuntime().removeShutdownHook(this.reaper);
		}
		catch (IllegalStateException ex) {
			// The JVM is shutting down already: the reaper runs anyway.
		}
	}

	private void destroyAll() {
		for (Process process : this.nodes) {
			if (process != null) {
				// A paused node ignores SIGTERM until woken.
				process.destroyForcibly();
			}
		}
	}

	private int clientPort(int node) {
		return this.basePort + node;
	}

	private int controllerPort(int node) {
		return this.basePort + this.size + node;
	}

	private Path nodeDir(int node) {
		return this.dir.resolve("node-" + node);
	}

	private Path dataDir(int node) {
		return nodeDir(node).resolve("data");
	}

	private Path config(int node) {
		return nodeDir(node).resolve("server.properties");
	}

	private void writeConfig(int node) throws IOException {
		List<String> voters = new ArrayList<>();
		for (int i = 0; i < this.size; i++) {
			voters.add((i + 1) + "@" + HOST + ":" + controllerPort(i));
		}
		int replication = Math.min(3, this.size);
		int minInSync = Math.max(1, replication - 1);
		Map<String, String> settings = new java.util.LinkedHashMap<>();
		settings.put("process.roles", "broker,controller");
		settings.put("node.id", Integer.toString(node + 1));
		settings.put("controller.quorum.voters", String.join(",", voters));
		settings.put("listeners",
				"PLAINTEXT://" + HOST + ":" + clientPort(node) + ",CONTROLLER://" + HOST + ":" + controllerPort(node));
		settings.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + clientPort(node));
		settings.put("controller.listener.names", "CONTROLLER");
		settings.put("inter.broker.listener.name", "PLAINTEXT");
		settings.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
		settings.put("log.dirs", dataDir(node).toString());
		settings.put("num.partitions", "3");
		settings.put("auto.create.topics.enable", "true");
		settings.put("default.replication.factor", Integer.toString(replication));
		settings.put("min.insync.replicas", Integer.toString(minInSync));
		settings.put("offsets.topic.replication.factor", Integer.toString(replication));
		settings.put("transaction.state.log.replication.factor", Integer.toString(replication));
		settings.put("transaction.state.log.min.isr", Integer.toString(minInSync));
		settings.put("share.coordinator.state.topic.replication.factor", Integer.toString(replication));
		settings.put("share.coordinator.state.topic.min.isr", Integer.toString(minInSync));
		settings.put("unclean.leader.election.enable", "false");
		settings.put("group.initial.rebalance.delay.ms", "0");
		// A dead broker leaves the ISR and a dead client's group session ends quickly.
		settings.put("replica.lag.time.max.ms", "10000");
		settings.put("broker.session.timeout.ms", "6000");
		settings.put("broker.heartbeat.interval.ms", "1000");
		settings.put("num.network.threads", "2");
		settings.put("num.io.threads", "4");
		settings.put("log.retention.hours", "24");
		settings.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
		StringBuilder text = new StringBuilder("# Written by " + getClass().getName() + "\n");
		settings.forEach((name, value) -> text.append(name).append('=').append(value).append('\n'));
		Files.createDirectories(dataDir(node));
		Files.writeString(config(node), text, StandardCharsets.UTF_8);
	}

	private void format(int node, String clusterId) {
		List<String> command = JavaCommand.of("kafka.tools.StorageTool", JVM_OPTIONS,
				List.of("format", "-t", clusterId, "-c", config(node).toString(), "--ignore-formatted"));
		Path logFile = nodeDir(node).resolve("format.log");
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(logFile.toFile())
				.start();
			if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
				process.destroyForcibly();
				throw new IllegalStateException(
						"Formatting Kafka node " + node + " failed:\n" + Files.readString(logFile));
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private void launch(int node) {
		List<String> command = JavaCommand.of("kafka.Kafka", JVM_OPTIONS, List.of(config(node).toString()));
		Path logFile = nodeDir(node).resolve("kafka.log");
		try {
			this.nodes[node] = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start Kafka node " + node, ex);
		}
		log.info("Kafka node {} starting on {}:{} (log: {})", node, HOST, clientPort(node), logFile);
	}

	private void awaitBrokers(int count, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		String last = "nothing tried";
		while (System.nanoTime() < deadline) {
			for (int i = 0; i < this.size; i++) {
				Process process = this.nodes[i];
				if (process != null && !process.isAlive()) {
					throw new IllegalStateException("Kafka node " + i + " exited with " + process.exitValue() + ":\n"
							+ tail(nodeDir(i).resolve("kafka.log")));
				}
			}
			if (anyListening()) {
				try (Admin admin = Admin.create(Map.of("bootstrap.servers", server().bootstrapServers(),
						"request.timeout.ms", "5000", "default.api.timeout.ms", "8000"))) {
					int brokers = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size();
					if (brokers >= count) {
						return;
					}
					last = brokers + " of " + count + " brokers registered";
				}
				catch (Exception ex) {
					last = ex.toString();
				}
			}
			pause();
		}
		throw new IllegalStateException("The Kafka cluster has not " + count + " brokers after " + timeout + " (" + last
				+ "):\n" + tail(nodeDir(0).resolve("kafka.log")));
	}

	private boolean anyListening() {
		for (int i = 0; i < this.size; i++) {
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress(HOST, clientPort(i)), 500);
				return true;
			}
			catch (IOException ex) {
				// not this one
			}
		}
		return false;
	}

	private void signal(int node, String signal) {
		long pid = pid(node);
		if (pid == -1) {
			throw new IllegalStateException("Kafka node " + node + " is not running");
		}
		try {
			Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
			if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
				throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		log.info("Kafka node {} sent SIG{}", node, signal);
	}

	private static String tail(Path file) {
		try {
			List<String> lines = Files.readAllLines(file);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
		}
		catch (IOException ex) {
			return "(no log: " + ex + ")";
		}
	}

	private static void pause() {
		try {
			// Waiting for processes we do not control: there is nothing to await but
			// time.
			Thread.sleep(500);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
