package io.tierflow.tenancy.routing;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Warms the pool of a tier move's target store on every instance before the cutover
 * ({@link PlacementPools#warm}): the mover announces the target on the control database
 * ({@link #announce}, a {@code NOTIFY} on {@link #CHANNEL}), each instance's
 * {@link PlacementChanges} hears it and hands it here, and one background thread fills
 * the pool. Without it, the writers a fence held all ask a cold pool for connections the
 * moment the fence lifts, and wait while they are made one by one.
 */
public class StoreWarmer implements AutoCloseable {

	/**
	 * The channel a move announces its target store on: payload {@code cluster/database}.
	 */
	public static final String CHANNEL = "tierflow_warm";

	private static final Logger log = LoggerFactory.getLogger(StoreWarmer.class);

	/** Names as Tierflow gives clusters and databases; anything else is ignored. */
	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,63}");

	private final PlacementPools pools;

	private final ThreadPoolExecutor executor;

	public StoreWarmer(PlacementPools pools) {
		this.pools = pools;
		// One thread, a short queue: a burst of announcements costs nothing but the ones
		// dropped, and a store already warm is a no-op.
		this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(16),
				(runnable) -> {
					Thread thread = new Thread(runnable, "tierflow-store-warmer");
					thread.setDaemon(true);
					return thread;
				}, new ThreadPoolExecutor.DiscardPolicy());
	}

	/**
	 * Tells every instance of the service that a store is about to take a tenant's
	 * writers. Sent outside any transaction, so it is heard at once.
	 */
	public static void announce(JdbcClient control, String cluster, String database) {
		control.sql("select pg_notify(?, ?)").params(CHANNEL, cluster + "/" + database).query().singleRow();
	}

	/** Warms the store named by an announcement, in the background. */
	public void heard(String announcement) {
		int slash = (announcement != null) ? announcement.indexOf('/') : -1;
		if (slash < 0 || !NAME.matcher(announcement.substring(0, slash)).matches()
				|| !NAME.matcher(announcement.substring(slash + 1)).matches()) {
			log.warn("Ignored a warm-up notice that names no store: '{}'", announcement);
			return;
		}
		String cluster = announcement.substring(0, slash);
		String database = announcement.substring(slash + 1);
		this.executor.execute(() -> warm(cluster, database));
	}

	/**
	 * Warms a store's pool now, on the caller's thread.
	 * @return the pool's connections once warm, or -1 if it could not be warmed
	 */
	public int warm(String cluster, String database) {
		long at = System.nanoTime();
		try {
			int connections = this.pools.warm(cluster, database);
			log.debug("Pool of {}/{} warm: {} connections in {} ms", cluster, database, connections,
					(System.nanoTime() - at) / 1_000_000);
			return connections;
		}
		catch (RuntimeException ex) {
			log.debug("Could not warm the pool of {}/{}: {}", cluster, database, ex.toString());
			return -1;
		}
	}

	@Override
	public void close() {
		this.executor.shutdownNow();
	}

}
