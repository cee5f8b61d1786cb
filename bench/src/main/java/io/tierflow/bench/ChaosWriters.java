package io.tierflow.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * HTTP writes through the gateway to every service, one writer thread per service, each
 * write a new resource with a unique name, round-robin over the tenants. A write is
 * acknowledged when the service answers 2xx (its id kept), refused on another 4xx, failed
 * on a 5xx or a broken connection: a client cannot know whether a failed write happened,
 * so only acknowledged ones must be present afterwards, exactly once. Each service's
 * longest outage is the longest time from a failed write to the next acknowledged one.
 */
final class ChaosWriters implements AutoCloseable {

	/**
	 * A service's resource: where it is created and listed, and its body; created by a
	 * system admin rather than a tenant's admin when {@code admin}, every
	 * {@code intervalFactor} write intervals.
	 */
	record Resource(String service, String path, String body, boolean admin, int intervalFactor) {

		String path(UUID tenant) {
			return this.path.replace("{tenant}", tenant.toString());
		}

		String body(String name) {
			return this.body.replace("{name}", name);
		}

	}

	/** One write per service, each tenant's own resources. */
	static final List<Resource> RESOURCES = List.of(
			// New tenants: each one a provisioning saga through all four services, under
			// the same faults (a tenant's users are capped by its plan).
			new Resource("tenant", "/api/v1/tenants",
					"{\"name\":\"{name}\",\"slug\":\"{name}\",\"plan\":\"STANDARD\",\"region\":\"eu\"}", true, 10),
			new Resource("simulation", "/api/v1/models", "{\"name\":\"{name}\"}", false, 1),
			new Resource("file", "/api/v1/folders", "{\"name\":\"{name}\"}", false, 1),
			new Resource("billing", "/api/v1/meters", "{\"key\":\"{name}\",\"unit\":\"count\"}", false, 1),
			new Resource("analytics", "/api/v1/dashboards", "{\"name\":\"{name}\"}", false, 1));

	/** An acknowledged write. */
	record Write(String service, UUID tenant, String name, String id) {
	}

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final String gateway;

	private final Map<UUID, String> tokens;

	private final String admin;

	private final long intervalMillis;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final AtomicBoolean running = new AtomicBoolean(true);

	private final List<Thread> threads = new ArrayList<>();

	private final List<Write> acknowledged = Collections.synchronizedList(new ArrayList<>());

	private final Map<String, Stats> stats = new LinkedHashMap<>();

	private final String run = UUID.randomUUID().toString().substring(0, 6);

	/**
	 * @param tokens each tenant's token (a tenant admin)
	 */
	ChaosWriters(String gateway, String admin, Map<UUID, String> tokens, long intervalMillis) {
		this.gateway = gateway;
		this.admin = admin;
		this.tokens = Map.copyOf(tokens);
		this.intervalMillis = intervalMillis;
		for (Resource resource : RESOURCES) {
			this.stats.put(resource.service(), new Stats());
		}
	}

	void start() {
		for (Resource resource : RESOURCES) {
			Thread thread = new Thread(() -> write(resource), "chaos-writer-" + resource.service());
			thread.setDaemon(true);
			this.threads.add(thread);
			thread.start();
		}
	}

	@Override
	public void close() throws InterruptedException {
		this.running.set(false);
		for (Thread thread : this.threads) {
			thread.join(Duration.ofSeconds(30).toMillis());
		}
	}

	List<Write> acknowledged() {
		synchronized (this.acknowledged) {
			return List.copyOf(this.acknowledged);
		}
	}

	/** The longest outage of any service, in seconds. */
	double maxUnavailableSeconds() {
		return this.stats.values().stream().mapToLong((s) -> s.longestOutageNanos).max().orElse(0) / 1e9;
	}

	String describe() {
		StringBuilder text = new StringBuilder();
		this.stats.forEach((service,
				s) -> text.append(String.format(Locale.ROOT,
						"%n    %-10s %,6d acknowledged, %,4d refused, %,4d failed, longest outage %.1f s", service,
						s.acknowledged.get(), s.refused.get(), s.failed.get(), s.longestOutageNanos / 1e9)));
		return text.toString();
	}

	/** The last refusals' answers, one per service, to tell what went wrong. */
	Map<String, String> lastRefusals() {
		Map<String, String> refusals = new LinkedHashMap<>();
		this.stats.forEach((service, s) -> {
			if (s.lastRefusal != null) {
				refusals.put(service, s.lastRefusal);
			}
		});
		return refusals;
	}

	private void write(Resource resource) {
		Stats s = this.stats.get(resource.service());
		List<UUID> tenants = new ArrayList<>(this.tokens.keySet());
		long sequence = 0;
		long next = System.nanoTime();
		while (this.running.get()) {
			UUID tenant = tenants.get((int) (sequence % tenants.size()));
			String name = "chaos-" + this.run + "-" + resource.service() + "-" + sequence++;
			HttpRequest request = HttpRequest.newBuilder(URI.create(this.gateway + resource.path(tenant)))
				.timeout(Duration.ofSeconds(10))
				.header("Authorization", "Bearer " + (resource.admin() ? this.admin : this.tokens.get(tenant)))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(resource.body(name)))
				.build();
			try {
				HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
				int status = response.statusCode();
				if (status / 100 == 2) {
					JsonNode id = JSON.readTree(response.body()).get("id");
					this.acknowledged.add(new Write(resource.service(), tenant, name, id.asString()));
					s.acknowledged.incrementAndGet();
					s.available();
				}
				else if (status / 100 == 4) {
					s.refused.incrementAndGet();
					s.lastRefusal = status + " " + response.body();
					s.available();
				}
				else {
					s.failed.incrementAndGet();
					s.unavailable();
				}
			}
			catch (IOException ex) {
				s.failed.incrementAndGet();
				s.unavailable();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			next += this.intervalMillis * resource.intervalFactor() * 1_000_000;
			long wait = next - System.nanoTime();
			if (wait > 0) {
				try {
					Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
			else {
				next = System.nanoTime();
			}
		}
	}

	/** A service's writes, and its outages as its writer saw them. */
	private static final class Stats {

		final AtomicLong acknowledged = new AtomicLong();

		final AtomicLong refused = new AtomicLong();

		final AtomicLong failed = new AtomicLong();

		volatile String lastRefusal;

		/** When the current outage began (its first failed write), or -1. */
		long outageSince = -1;

		long longestOutageNanos;

		void unavailable() {
			if (this.outageSince == -1) {
				this.outageSince = System.nanoTime();
			}
		}

		void available() {
			if (this.outageSince != -1) {
				this.longestOutageNanos = Math.max(this.longestOutageNanos, System.nanoTime() - this.outageSince);
				this.outageSince = -1;
			}
		}

	}

}
