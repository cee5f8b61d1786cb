package io.tierflow.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.tierflow.testsupport.KafkaCluster;
import io.tierflow.testsupport.KafkaServer;
import io.tierflow.testsupport.PostgresServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the chaos run checks afterwards, from outside the services: the acknowledged
 * writes through their APIs, billing's ledger, replication slots and outboxes in
 * PostgreSQL, consumer groups in Kafka.
 */
final class ChaosChecks {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private ChaosChecks() {
	}

	/** Acknowledged writes missing, and present more than once. */
	record WriteCheck(long acknowledged, long lost, long duplicated) {
	}

	/**
	 * Lists every tenant's resources of every service through the gateway and counts each
	 * acknowledged write's name.
	 */
	static WriteCheck writes(String gateway, String admin, Map<UUID, String> tokens,
			List<ChaosWriters.Write> acknowledged) throws Exception {
		Map<String, Integer> seen = new HashMap<>();
		for (ChaosWriters.Resource resource : ChaosWriters.RESOURCES) {
			Map<UUID, String> listers = resource.admin() ? Map.of(UUID.randomUUID(), admin) : tokens;
			for (Map.Entry<UUID, String> tenant : listers.entrySet()) {
				for (int page = 0;; page++) {
					HttpResponse<String> response = get(
							gateway + resource.path(tenant.getKey()) + "?size=200&page=" + page, tenant.getValue());
					if (response.statusCode() != 200) {
						throw new IllegalStateException("Listing " + resource.path(tenant.getKey()) + " answered "
								+ response.statusCode() + ": " + response.body());
					}
					JsonNode content = JSON.readTree(response.body()).get("items");
					for (JsonNode item : content) {
						JsonNode name = item.has("name") ? item.get("name") : item.get("key");
						if (name != null && name.asString().startsWith("chaos-")) {
							seen.merge(resource.service() + "/" + name.asString(), 1, Integer::sum);
						}
					}
					if (content.size() < 200) {
						break;
					}
				}
			}
		}
		long lost = 0;
		long duplicated = 0;
		for (ChaosWriters.Write write : acknowledged) {
			int count = seen.getOrDefault(write.service() + "/" + write.name(), 0);
			lost += (count == 0) ? 1 : 0;
			duplicated += (count > 1) ? 1 : 0;
		}
		return new WriteCheck(acknowledged.size(), lost, duplicated);
	}

	/** The tenants created by the writers that are not ACTIVE. */
	static List<String> inactiveTenants(String gateway, String admin, List<ChaosWriters.Write> acknowledged)
			throws Exception {
		List<String> inactive = new ArrayList<>();
		for (ChaosWriters.Write write : acknowledged) {
			if (write.service().equals("tenant")) {
				HttpResponse<String> response = get(gateway + "/api/v1/tenants/" + write.id(), admin);
				String status = (response.statusCode() == 200) ? JSON.readTree(response.body()).get("status").asString()
						: "HTTP " + response.statusCode();
				if (!status.equals("ACTIVE")) {
					inactive.add(write.name() + ": " + status);
				}
			}
		}
		return inactive;
	}

	/** Usage events acknowledged by Kafka and not in the ledger, and in it twice. */
	record LedgerCheck(long produced, long lost, long duplicated) {
	}

	/** Billing's ledger on every PostgreSQL server against the acknowledged events. */
	static LedgerCheck ledger(Collection<PostgresServer> servers, Collection<UUID> tenants, Set<String> produced)
			throws SQLException {
		Map<String, Integer> rows = new HashMap<>();
		for (PostgresServer server : servers) {
			try (BillingLedger ledger = BillingLedger.open(server, tenants)) {
				ledger.read().forEach((id, metered) -> rows.merge(id, metered.rows(), Integer::sum));
			}
		}
		long lost = produced.stream().filter((id) -> !rows.containsKey(id)).count();
		long duplicated = rows.values().stream().filter((n) -> n > 1).count();
		return new LedgerCheck(produced.size(), lost, duplicated);
	}

	/** Replication slots left on any server. */
	static List<String> replicationSlots(Collection<PostgresServer> servers) throws SQLException {
		List<String> slots = new ArrayList<>();
		for (PostgresServer server : servers) {
			try (Connection con = server.adminConnection("postgres");
					Statement st = con.createStatement();
					ResultSet rs = st.executeQuery("select slot_name from pg_replication_slots")) {
				while (rs.next()) {
					slots.add(server.port() + "/" + rs.getString(1));
				}
			}
		}
		return slots;
	}

	/** Events still waiting in any outbox of any database on any server. */
	static long outboxBacklog(Collection<PostgresServer> servers) throws SQLException {
		long backlog = 0;
		for (PostgresServer server : servers) {
			List<String> databases = new ArrayList<>();
			try (Connection con = server.adminConnection("postgres");
					Statement st = con.createStatement();
					ResultSet rs = st
						.executeQuery("select datname from pg_database where datallowconn and not datistemplate")) {
				while (rs.next()) {
					databases.add(rs.getString(1));
				}
			}
			for (String database : databases) {
				try (Connection con = server.adminConnection(database)) {
					List<String> tables = new ArrayList<>();
					try (Statement st = con.createStatement();
							ResultSet rs = st.executeQuery("select quote_ident(n.nspname) from pg_class c join"
									+ " pg_namespace n on n.oid = c.relnamespace where c.relname = 'outbox'"
									+ " and c.relkind in ('r', 'p')")) {
						while (rs.next()) {
							tables.add(rs.getString(1) + ".outbox");
						}
					}
					for (String table : tables) {
						try (Statement st = con.createStatement();
								ResultSet rs = st.executeQuery("select count(*) from " + table)) {
							rs.next();
							backlog += rs.getLong(1);
						}
					}
				}
			}
		}
		return backlog;
	}

	/** Each consumer group's members and lag, once it has caught up. */
	record GroupCheck(int groups, int withoutMembers, long lag, Map<String, Long> lagByGroup) {
	}

	static GroupCheck consumerGroups(KafkaServer kafka) throws Exception {
		try (Admin admin = Admin.create(kafka.clientConfig())) {
			List<String> groups = new ArrayList<>();
			for (ConsumerGroupListing listing : admin.listConsumerGroups().all().get(30, TimeUnit.SECONDS)) {
				// Anonymous groups belong to one instance each: a killed one leaves its
				// own.
				if (!listing.groupId().startsWith("anonymous.")) {
					groups.add(listing.groupId());
				}
			}
			int withoutMembers = 0;
			long lag = 0;
			Map<String, Long> lagByGroup = new java.util.TreeMap<>();
			Map<String, ConsumerGroupDescription> descriptions = admin.describeConsumerGroups(groups)
				.all()
				.get(30, TimeUnit.SECONDS);
			for (String group : groups) {
				if (descriptions.get(group).members().isEmpty()) {
					withoutMembers++;
				}
				Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
					.partitionsToOffsetAndMetadata()
					.get(30, TimeUnit.SECONDS);
				Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
				committed.keySet().forEach((tp) -> latest.put(tp, OffsetSpec.latest()));
				Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest)
					.all()
					.get(30, TimeUnit.SECONDS);
				for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : committed.entrySet()) {
					if (entry.getValue() != null) {
						long behind = Math.max(0, ends.get(entry.getKey()).offset() - entry.getValue().offset());
						lag += behind;
						lagByGroup.merge(group, behind, Long::sum);
					}
				}
			}
			return new GroupCheck(groups.size(), withoutMembers, lag, lagByGroup);
		}
	}

	static LedgerCheck awaitLedger(List<PostgresServer> servers, Map<UUID, String> tokens, Set<String> produced)
			throws Exception {
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
		LedgerCheck check = ledger(servers, tokens.keySet(), produced);
		while (check.lost() > 0 && System.nanoTime() < deadline) {
			Bench.say(String.format(Locale.ROOT, "  waiting for billing: %,d of %,d events not metered yet",
					check.lost(), check.produced()));
			Bench.pauseSeconds(5);
			check = ledger(servers, tokens.keySet(), produced);
		}
		return check;
	}

	static List<String> awaitTenantsActive(String gateway, String admin, ChaosWriters writers) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
		List<String> inactive = inactiveTenants(gateway, admin, writers.acknowledged());
		while (!inactive.isEmpty() && System.nanoTime() < deadline) {
			Bench.pauseSeconds(5);
			inactive = inactiveTenants(gateway, admin, writers.acknowledged());
		}
		return inactive;
	}

	/**
	 * Consumer groups once every one has members and has caught up, or after 4 minutes.
	 */
	static GroupCheck awaitConsumers(KafkaCluster kafka) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
		GroupCheck groups = consumerGroups(kafka.server());
		while ((groups.lag() > 0 || groups.withoutMembers() > 0) && System.nanoTime() < deadline) {
			Bench.say("  waiting for consumers: lag " + groups.lagByGroup());
			Bench.pauseSeconds(10);
			groups = consumerGroups(kafka.server());
		}
		return groups;
	}

	static long awaitOutboxes(List<PostgresServer> servers) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
		long backlog = outboxBacklog(servers);
		while (backlog > 0 && System.nanoTime() < deadline) {
			Bench.pauseSeconds(2);
			backlog = outboxBacklog(servers);
		}
		return backlog;
	}

	static JsonNode awaitChangeEnded(String gateway, String admin, UUID tenant) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(6);
		JsonNode latest = null;
		while (System.nanoTime() < deadline) {
			HttpResponse<String> changes = get(gateway + "/api/v1/tenants/" + tenant + "/tier-changes", admin);
			if (changes.statusCode() == 200) {
				JsonNode items = JSON.readTree(changes.body()).get("items");
				if (items.isEmpty()) {
					return null;
				}
				latest = items.get(0);
				String status = latest.get("status").asString();
				if (!status.equals("REQUESTED") && !status.equals("ROLLING_BACK")) {
					return latest;
				}
			}
			Bench.pauseSeconds(2);
		}
		throw new IllegalStateException("The tier change did not end in 6 minutes: " + latest);
	}

	static void awaitStatus(String gateway, String admin, String path, String field, String expected, Duration timeout)
			throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		String last = null;
		while (System.nanoTime() < deadline) {
			HttpResponse<String> response = get(gateway + path, admin);
			if (response.statusCode() == 200) {
				last = response.body();
				if (JSON.readTree(last).get(field).asString().equals(expected)) {
					return;
				}
			}
			Bench.pauseSeconds(1);
		}
		throw new IllegalStateException(path + " not " + expected + " after " + timeout + ": " + last);
	}

	static HttpResponse<String> get(String url, String token) throws Exception {
		return HTTP.send(HttpRequest.newBuilder(URI.create(url))
			.timeout(Duration.ofSeconds(30))
			.header("Authorization", "Bearer " + token)
			.GET()
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	static HttpResponse<String> send(String method, String url, String token, String json) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return HTTP.send(request.header("Content-Type", "application/json")
			.method(method, HttpRequest.BodyPublishers.ofString(json))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

}
