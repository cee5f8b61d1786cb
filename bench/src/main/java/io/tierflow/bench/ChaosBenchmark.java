package io.tierflow.bench;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventSerializer;
import io.tierflow.devstack.Devstack;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.testsupport.KafkaCluster;
import io.tierflow.testsupport.LocalPostgresCluster;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.S3Server;
import io.tierflow.testsupport.ServiceProcess;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The cluster topology under faults ({@code bench/run chaos}): three PostgreSQL servers,
 * three Kafka nodes (replication factor 3, min ISR 2), two instances of every service
 * behind the gateway. Under steady load — usage events into billing, HTTP writes through
 * the gateway to every service, a tenant's tier move — it injects, one at a time: kill -9
 * of a Kafka node and its restart; kill -9 of one instance of each service and their
 * restart; SIGSTOP of a Kafka node; a fast restart of the shared PostgreSQL server.
 * Afterwards every acknowledged write must be present exactly once, billing's ledger must
 * hold every acknowledged usage event exactly once, the move must have completed or
 * rolled back with its reason, no replication slot may be left, every consumer group must
 * have members and no lag, and no outbox a backlog.
 */
final class ChaosBenchmark {

	/** What a run found. */
	record Outcome(int faults, long acknowledged, long lost, long duplicated, double maxUnavailableSeconds,
			boolean movesOk, List<String> problems) {

		String resultLine() {
			return String.format(Locale.ROOT,
					"RESULT chaos faults=%d acknowledged=%d lost=%d duplicated=%d max_unavailable_s=%.1f moves_ok=%s",
					this.faults, this.acknowledged, this.lost, this.duplicated, this.maxUnavailableSeconds,
					this.movesOk);
		}

	}

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final List<String> PLANS = List.of("STANDARD", "PROFESSIONAL", "ENTERPRISE", "STANDARD");

	private final int pauseSeconds;

	private final int downSeconds;

	private final int settleSeconds;

	private final int usageRate;

	private final int writeIntervalMillis;

	private final int moveRows;

	/**
	 * Whether the killed service instances are started again (the suite's run does not).
	 */
	private final boolean restartInstances;

	/**
	 * Services started with one instance only (never killed): the suite's shorter run.
	 */
	private final Set<String> singleInstance;

	private final Path servicesDir;

	private final Path workDir;

	ChaosBenchmark(Map<String, String> options) {
		this.pauseSeconds = Bench.intOption(options, "pause-seconds", 20);
		this.downSeconds = Bench.intOption(options, "down-seconds", 10);
		this.settleSeconds = Bench.intOption(options, "settle-seconds", 15);
		this.usageRate = Bench.intOption(options, "usage-rate", 200);
		this.writeIntervalMillis = Bench.intOption(options, "write-interval-ms", 100);
		this.moveRows = Bench.intOption(options, "move-rows", 300);
		this.restartInstances = Boolean.parseBoolean(options.getOrDefault("restart-instances", "true"));
		this.singleInstance = java.util.Arrays.stream(options.getOrDefault("single-instance", "").split(","))
			.map(String::trim)
			.filter((name) -> !name.isEmpty())
			.collect(java.util.stream.Collectors.toUnmodifiableSet());
		this.servicesDir = Path.of(options.getOrDefault("services-dir", "devstack/target/services"));
		this.workDir = Path.of(options.getOrDefault("work-dir", "bench/target/chaos"));
	}

	String run() throws Exception {
		return measure().resultLine();
	}

	Outcome measure() throws Exception {
		Bench.say(String.format(Locale.ROOT,
				"chaos: 3 PostgreSQL servers, 3 Kafka nodes (RF 3, min ISR 2), 2 instances of every service%s;"
						+ " %d usage events/s, a write every %d ms per service; %d cores",
				this.singleInstance.isEmpty() ? "" : " but " + String.join(", ", this.singleInstance) + " (one)",
				this.usageRate, this.writeIntervalMillis, Runtime.getRuntime().availableProcessors()));
		ChaosPorts ports = ChaosPorts.find();
		List<LocalPostgresCluster> postgres = new ArrayList<>();
		List<String> roles = List.of("shared", "dedicated", "enterprise");
		for (String role : roles) {
			postgres.add(LocalPostgresCluster.start(Files.createTempDirectory("tierflow-chaos-pg-" + role), 0, true));
		}
		List<PostgresServer> servers = postgres.stream().map(LocalPostgresCluster::server).toList();
		try (KafkaCluster kafka = KafkaCluster.start(this.workDir.resolve("kafka-" + ports.kafka()), ports.kafka(),
				3)) {
			Map<String, String> all = new LinkedHashMap<>();
			all.put("TIERFLOW_TENANCY_PLACEMENTCACHETTL", "2s");
			all.put("TIERFLOW_MOVER_SOURCEREMOVALDELAY", "0s");
			all.put("TIERFLOW_MOVER_CUTOVERLAG", "1s");
			Map<String, String> gatewayEnv = new LinkedHashMap<>();
			for (String tier : List.of("SHARED", "DEDICATED", "ENTERPRISE")) {
				gatewayEnv.put("TIERFLOW_GATEWAY_RATELIMITS_TIERS_" + tier + "_REQUESTSPERSECOND", "1000");
				gatewayEnv.put("TIERFLOW_GATEWAY_RATELIMITS_TIERS_" + tier + "_BURST", "2000");
			}
			Bench.say("  starting the services (logs: " + this.workDir.resolve("logs") + ")");
			try (S3Server s3 = S3Server.start(Files.createTempDirectory("tierflow-chaos-s3"), 0,
					this.servicesDir.resolve("s3proxy.jar"));
					Devstack stack = Devstack.start(
							new Devstack.Clusters(servers.get(0), servers.get(1), servers.get(2)), kafka.server(),
							this.servicesDir, this.workDir, ports.services(), ports.gateway(), 2, this.singleInstance,
							Map.of("*", all, "gateway", gatewayEnv, "file",
									s3.fileServiceEnvironment(Devstack.S3_BUCKET_PREFIX)))) {
				return underFaults(stack, kafka, postgres, servers);
			}
		}
		finally {
			postgres.forEach(LocalPostgresCluster::stop);
		}
	}

	private Outcome underFaults(Devstack stack, KafkaCluster kafka, List<LocalPostgresCluster> postgres,
			List<PostgresServer> servers) throws Exception {
		String gateway = stack.url(Devstack.GATEWAY);
		String admin = devToken(gateway, "{\"subject\":\"chaos\",\"roles\":[\"SYSTEM_ADMIN\"]}");
		Map<UUID, String> tokens = new LinkedHashMap<>();
		List<UsageTraffic.Tenant> usageTenants = new ArrayList<>();
		UUID mover = null;
		for (int i = 0; i < PLANS.size(); i++) {
			String slug = "chaos-" + i + "-" + UUID.randomUUID().toString().substring(0, 6);
			HttpResponse<String> created = ChaosChecks.send("POST", gateway + "/api/v1/tenants", admin, "{\"name\":\""
					+ slug + "\",\"slug\":\"" + slug + "\",\"plan\":\"" + PLANS.get(i) + "\",\"region\":\"eu\"}");
			require(created, 201);
			UUID tenant = UUID.fromString(JSON.readTree(created.body()).get("id").asString());
			tokens.put(tenant, devToken(gateway,
					"{\"subject\":\"chaos-" + i + "\",\"tenantId\":\"" + tenant + "\",\"roles\":[\"TENANT_ADMIN\"]}"));
			usageTenants.add(new UsageTraffic.Tenant(tenant, switch (PLANS.get(i)) {
				case "ENTERPRISE" -> Tier.ENTERPRISE;
				case "PROFESSIONAL" -> Tier.DEDICATED;
				default -> Tier.SHARED;
			}));
			mover = tenant;
		}
		for (UUID tenant : tokens.keySet()) {
			ChaosChecks.awaitStatus(gateway, admin, "/api/v1/tenants/" + tenant, "status", "ACTIVE",
					Duration.ofMinutes(3));
		}
		Bench.say("  " + tokens.size() + " tenants ACTIVE; seeding " + this.moveRows
				+ " models of the tenant to move (STANDARD -> PROFESSIONAL -> ENTERPRISE -> STANDARD, a move"
				+ " through each of faults 1, 2 and 4)");
		for (int i = 0; i < this.moveRows; i++) {
			require(ChaosChecks.send("POST", gateway + "/api/v1/models", tokens.get(mover),
					"{\"name\":\"seed-" + i + "\"}"), 201);
		}

		Set<String> produced = ConcurrentHashMap.newKeySet();
		AtomicLong sendFailures = new AtomicLong();
		AtomicBoolean producing = new AtomicBoolean(true);
		UsageTraffic traffic = new UsageTraffic(usageTenants);
		int faults = 0;
		try (Producer<String, CloudEvent> producer = producer(kafka);
				ChaosWriters writers = new ChaosWriters(gateway, admin, tokens, this.writeIntervalMillis)) {
			Thread usage = new Thread(() -> produce(producer, traffic, produced, sendFailures, producing),
					"chaos-usage");
			usage.setDaemon(true);
			usage.start();
			writers.start();
			Bench.pauseSeconds(this.settleSeconds);

			changeTier(gateway, admin, mover, "PROFESSIONAL");

			faults++;
			Bench.say("fault " + faults + ": kill -9 Kafka node 0, restart it after " + this.downSeconds + " s");
			kafka.kill(0);
			Bench.pauseSeconds(this.downSeconds);
			kafka.restart(0);
			Bench.pauseSeconds(this.settleSeconds);

			changeTier(gateway, admin, mover, "ENTERPRISE");
			faults++;
			Bench.say("fault " + faults + ": kill -9 one instance of each service that has two"
					+ (this.restartInstances ? ", restart them after " + this.downSeconds + " s" : ", for good"));
			List<String> doubled = Devstack.SERVICES.stream()
				.filter((service) -> !this.singleInstance.contains(service))
				.toList();
			for (String service : doubled) {
				stack.kill(service, 0);
			}
			Bench.pauseSeconds(this.downSeconds);
			if (this.restartInstances) {
				List<ServiceProcess> restarted = new ArrayList<>();
				for (String service : doubled) {
					restarted.add(stack.relaunch(service, 0));
				}
				for (ServiceProcess process : restarted) {
					process.awaitHealthy(Duration.ofMinutes(5));
				}
			}
			Bench.pauseSeconds(this.settleSeconds);

			faults++;
			Bench.say("fault " + faults + ": SIGSTOP Kafka node 1 for " + this.pauseSeconds + " s");
			kafka.pause(1);
			Bench.pauseSeconds(this.pauseSeconds);
			kafka.resume(1);
			Bench.pauseSeconds(this.settleSeconds);

			changeTier(gateway, admin, mover, "STANDARD");
			faults++;
			Bench.say("fault " + faults + ": fast restart of the shared PostgreSQL server");
			postgres.get(0).restartFast();
			Bench.pauseSeconds(this.settleSeconds);

			producing.set(false);
			usage.join(TimeUnit.SECONDS.toMillis(30));
			producer.flush();
			writers.close();
			Bench.say("  load stopped; writes:" + writers.describe());
			Bench.say(String.format(Locale.ROOT, "  usage events: %,d acknowledged by Kafka, %,d sends failed",
					produced.size(), sendFailures.get()));
			writers.lastRefusals()
				.forEach((service, refusal) -> Bench.say(
						"  last refusal of " + service + ": " + refusal.substring(0, Math.min(300, refusal.length()))));
			return verify(gateway, admin, mover, tokens, writers, produced, kafka, servers, faults);
		}
	}

	private Outcome verify(String gateway, String admin, UUID mover, Map<UUID, String> tokens, ChaosWriters writers,
			Set<String> produced, KafkaCluster kafka, List<PostgresServer> servers, int faults) throws Exception {
		List<String> problems = new ArrayList<>();
		ChaosChecks.awaitChangeEnded(gateway, admin, mover);
		boolean movesOk = true;
		for (JsonNode change : JSON
			.readTree(ChaosChecks.get(gateway + "/api/v1/tenants/" + mover + "/tier-changes", admin).body())
			.get("items")) {
			String status = change.get("status").asString();
			boolean ok = status.equals("COMPLETED") || status.equals("ROLLED_BACK") && change.hasNonNull("reason");
			StringBuilder moves = new StringBuilder();
			for (JsonNode move : change.get("moves")) {
				moves.append(String.format(Locale.ROOT, " %s %s (fenced %s ms)", move.get("service").asString(),
						move.get("status").asString(), move.get("fencedMs")));
			}
			Bench.say(String.format(Locale.ROOT, "  tier change %s -> %s ended %s%s:%s",
					change.get("fromPlan").asString(), change.get("toPlan").asString(), status,
					change.hasNonNull("reason") ? " (" + change.get("reason").asString() + ")" : "", moves));
			if (!ok) {
				movesOk = false;
				problems.add("tier change " + status + " without a reason: " + change);
			}
		}

		ChaosChecks.LedgerCheck ledger = ChaosChecks.awaitLedger(servers, tokens, produced);
		Bench.say(String.format(Locale.ROOT, "  billing's ledger: %,d acknowledged events, %d lost, %d duplicated",
				ledger.produced(), ledger.lost(), ledger.duplicated()));
		ChaosChecks.WriteCheck writes = ChaosChecks.writes(gateway, admin, tokens, writers.acknowledged());
		Bench.say(String.format(Locale.ROOT, "  HTTP writes: %,d acknowledged, %d lost, %d duplicated",
				writes.acknowledged(), writes.lost(), writes.duplicated()));
		List<String> inactive = ChaosChecks.awaitTenantsActive(gateway, admin, writers);
		Bench.say("  tenants created under the faults and not ACTIVE: " + inactive);
		if (!inactive.isEmpty()) {
			problems.add("tenants not ACTIVE: " + inactive);
		}
		List<String> slots = ChaosChecks.replicationSlots(servers);
		Bench.say("  replication slots left: " + slots);
		if (!slots.isEmpty()) {
			problems.add("replication slots left: " + slots);
		}
		long backlog = ChaosChecks.awaitOutboxes(servers);
		Bench.say("  outbox backlog on every server: " + backlog);
		if (backlog > 0) {
			problems.add(backlog + " events never relayed");
		}
		ChaosChecks.GroupCheck groups = ChaosChecks.awaitConsumers(kafka);
		Bench.say(String.format(Locale.ROOT, "  consumer groups: %d, %d without members, total lag %d %s",
				groups.groups(), groups.withoutMembers(), groups.lag(), groups.lagByGroup()));
		if (groups.withoutMembers() > 0 || groups.lag() > 0) {
			problems.add("consumer groups not rebalanced: " + groups);
		}
		Bench.say(String.format(Locale.ROOT, "  longest outage of a service through the gateway: %.1f s",
				writers.maxUnavailableSeconds()));
		problems.forEach((p) -> Bench.say("  PROBLEM: " + p));
		return new Outcome(faults, writes.acknowledged() + ledger.produced(), writes.lost() + ledger.lost(),
				writes.duplicated() + ledger.duplicated(), writers.maxUnavailableSeconds(),
				movesOk && problems.isEmpty(), problems);
	}

	private void produce(Producer<String, CloudEvent> producer, UsageTraffic traffic, Set<String> produced,
			AtomicLong failures, AtomicBoolean producing) {
		long intervalNanos = 1_000_000_000L / Math.max(1, this.usageRate);
		long next = System.nanoTime();
		while (producing.get()) {
			ProducerRecord<String, CloudEvent> record = traffic.next(null, Instant.now());
			String id = record.value().getId();
			producer.send(record, (metadata, ex) -> {
				if (ex == null) {
					produced.add(id);
				}
				else {
					failures.incrementAndGet();
				}
			});
			next += intervalNanos;
			long wait = next - System.nanoTime();
			if (wait > 0) {
				try {
					TimeUnit.NANOSECONDS.sleep(wait);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}
	}

	private static Producer<String, CloudEvent> producer(KafkaCluster kafka) {
		Map<String, Object> config = kafka.server().clientConfig();
		config.put(ProducerConfig.ACKS_CONFIG, "all");
		config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
		config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
		config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
		config.put(ProducerConfig.CLIENT_ID_CONFIG, "chaos-usage");
		return new KafkaProducer<>(config, new StringSerializer(), new CloudEventSerializer());
	}

	/**
	 * Asks for a tier change of the tenant once its previous one has ended, so that a
	 * move is in progress through the next fault.
	 */
	private static void changeTier(String gateway, String admin, UUID tenant, String plan) throws Exception {
		JsonNode previous = ChaosChecks.awaitChangeEnded(gateway, admin, tenant);
		if (previous != null) {
			Bench.say("  the previous tier change ended " + previous.get("status").asString());
		}
		Bench.say("  tier change of tenant " + tenant + " to " + plan + ", under the next fault");
		require(ChaosChecks.send("POST", gateway + "/api/v1/tenants/" + tenant + "/tier-change", admin,
				"{\"plan\":\"" + plan + "\"}"), 202);
	}

	private static String devToken(String gateway, String request) throws Exception {
		HttpResponse<String> response = ChaosChecks.send("POST", gateway + "/api/v1/dev/tokens", null, request);
		require(response, 200);
		return JSON.readTree(response.body()).get("token").asString();
	}

	private static void require(HttpResponse<String> response, int status) {
		if (response.statusCode() != status) {
			throw new IllegalStateException(response.request().method() + " " + response.request().uri() + " answered "
					+ response.statusCode() + " (expected " + status + "): " + response.body());
		}
	}

}
