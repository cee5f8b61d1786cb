package io.tierflow.mover;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import io.tierflow.mover.MoverTestApplication.NoteRepository;
import io.tierflow.tenancy.context.TenantContext;

import org.springframework.context.ConfigurableApplicationContext;

/** Threads writing notes as fast as they can, keeping what was acknowledged. */
final class Writers {

	private final AtomicBoolean running = new AtomicBoolean(true);

	private final List<Thread> threads = new ArrayList<>();

	private final Map<UUID, Queue<UUID>> acked = new ConcurrentHashMap<>();

	final Queue<RuntimeException> failures = new ConcurrentLinkedQueue<>();

	void start(ConfigurableApplicationContext instance, UUID tenant) {
		Queue<UUID> mine = this.acked.computeIfAbsent(tenant, (t) -> new ConcurrentLinkedQueue<>());
		Thread t = new Thread(() -> {
			int i = 0;
			while (this.running.get()) {
				try {
					mine.add(TenantContext.call(tenant, () -> instance.getBean(NoteRepository.class).add("write")));
				}
				catch (RuntimeException ex) {
					this.failures.add(ex);
				}
				if (++i % 20 == 0) {
					sleepQuietly();
				}
			}
		}, "writer-" + this.threads.size());
		this.threads.add(t);
		t.start();
	}

	Set<UUID> acked(UUID tenant) {
		return new HashSet<>(this.acked.getOrDefault(tenant, new ConcurrentLinkedQueue<>()));
	}

	void stop() throws InterruptedException {
		this.running.set(false);
		for (Thread t : this.threads) {
			t.join();
		}
	}

	private static void sleepQuietly() {
		try {
			Thread.sleep(5);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
