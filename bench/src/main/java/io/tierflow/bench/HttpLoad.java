package io.tierflow.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Closed-loop HTTP load: a fixed number of threads, each with its own HTTP/1.1 client
 * (one keep-alive connection), sending GETs back to back for a fixed time. Every response
 * must be a 200; the first that is not is kept and fails the phase.
 */
final class HttpLoad {

	/**
	 * One request: where, the bearer token it carries, and the group its latency counts
	 * in ({@link Outcome#meanMillis}).
	 */
	record Target(URI uri, String token, String group) {

		Target(URI uri, String token) {
			this(uri, token, "");
		}

	}

	/**
	 * What a phase achieved.
	 *
	 * @param groupNanos by target group: requests and their summed latency
	 */
	record Outcome(long requests, double seconds, long[] latencyNanos, Map<String, long[]> groupNanos,
			String firstError) {

		/** The mean latency of a group's requests. */
		double meanMillis(String group) {
			long[] g = this.groupNanos.get(group);
			return (g == null || g[0] == 0) ? Double.NaN : g[1] / 1e6 / g[0];
		}

		double perSecond() {
			return this.requests / this.seconds;
		}

		double percentileMillis(double percentile) {
			if (this.latencyNanos.length == 0) {
				return Double.NaN;
			}
			int index = (int) Math.ceil(percentile / 100.0 * this.latencyNanos.length) - 1;
			return this.latencyNanos[Math.max(0, Math.min(this.latencyNanos.length - 1, index))] / 1e6;
		}

	}

	private final List<HttpClient> clients = new ArrayList<>();

	HttpLoad(int threads) {
		for (int i = 0; i < threads; i++) {
			this.clients.add(HttpClient.newBuilder()
				.version(HttpClient.Version.HTTP_1_1)
				.connectTimeout(Duration.ofSeconds(5))
				.build());
		}
	}

	/** Runs every thread for {@code seconds} over the targets, each in its own order. */
	Outcome run(List<Target> targets, double seconds) throws InterruptedException {
		int threads = this.clients.size();
		long[][] latencies = new long[threads][];
		int[] counts = new int[threads];
		Map<String, long[]> groups = new ConcurrentHashMap<>();
		AtomicReference<String> firstError = new AtomicReference<>();
		CountDownLatch ready = new CountDownLatch(threads);
		CountDownLatch go = new CountDownLatch(1);
		List<Thread> workers = new ArrayList<>();
		long[] window = new long[2];
		for (int t = 0; t < threads; t++) {
			int n = t;
			List<Target> order = new ArrayList<>(targets);
			Collections.shuffle(order, new Random(n));
			List<HttpRequest> requests = new ArrayList<>();
			List<String> groupOf = new ArrayList<>();
			for (Target target : order) {
				requests.add(HttpRequest.newBuilder(target.uri())
					.header("Authorization", "Bearer " + target.token())
					.timeout(Duration.ofSeconds(30))
					.GET()
					.build());
				groupOf.add(target.group());
			}
			Map<String, long[]> myGroups = new HashMap<>();
			Thread worker = new Thread(() -> {
				HttpClient client = this.clients.get(n);
				long[] mine = new long[1 << 16];
				int count = 0;
				ready.countDown();
				try {
					go.await();
					long deadline = window[1];
					int i = 0;
					while (true) {
						long start = System.nanoTime();
						if (start >= deadline) {
							break;
						}
						HttpResponse<String> response = client.send(requests.get(i),
								HttpResponse.BodyHandlers.ofString());
						long took = System.nanoTime() - start;
						if (response.statusCode() != 200) {
							firstError.compareAndSet(null,
									requests.get(i).uri() + " -> " + response.statusCode() + " " + response.body());
							break;
						}
						if (count == mine.length) {
							mine = Arrays.copyOf(mine, count * 2);
						}
						mine[count++] = took;
						long[] group = myGroups.computeIfAbsent(groupOf.get(i), (g) -> new long[2]);
						group[0]++;
						group[1] += took;
						i = (i + 1 == requests.size()) ? 0 : i + 1;
					}
				}
				catch (IOException ex) {
					firstError.compareAndSet(null, ex.toString());
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				latencies[n] = Arrays.copyOf(mine, count);
				counts[n] = count;
				myGroups.forEach((name, g) -> groups.merge(name, g, (a, b) -> new long[] { a[0] + b[0], a[1] + b[1] }));
			}, "bench-load-" + n);
			workers.add(worker);
			worker.start();
		}
		ready.await();
		window[0] = System.nanoTime();
		window[1] = window[0] + (long) (seconds * 1e9);
		go.countDown();
		for (Thread worker : workers) {
			worker.join();
		}
		double took = (System.nanoTime() - window[0]) / 1e9;
		long total = 0;
		int all = 0;
		for (int t = 0; t < threads; t++) {
			total += counts[t];
			all += latencies[t].length;
		}
		long[] merged = new long[all];
		int at = 0;
		for (long[] l : latencies) {
			System.arraycopy(l, 0, merged, at, l.length);
			at += l.length;
		}
		Arrays.sort(merged);
		return new Outcome(total, took, merged, Map.copyOf(groups), firstError.get());
	}

}
