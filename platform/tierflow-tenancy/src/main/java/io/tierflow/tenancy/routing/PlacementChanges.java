package io.tierflow.tenancy.routing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.tierflow.tenancy.TenancyProperties;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Makes every instance of a service forget a cached route as soon as the placement behind
 * it changes, whichever instance changed it: a trigger on the control table announces
 * each change to a routable placement on commit ({@code NOTIFY}, control migration V5),
 * and this listens on a connection of its own to the control database and evicts the
 * tenant from the {@link PlacementDirectory}. Without it, other instances would read a
 * moved tenant's old store, or serve a suspended one, until the cache's time to live ran
 * out. Changes made while the feed is down cannot be known, so each (re)connect forgets
 * every route; the time to live stays the bound when PostgreSQL is out of reach.
 */
public class PlacementChanges implements SmartLifecycle {

	/** The channel the control migration's trigger notifies, payload the tenant id. */
	static final String CHANNEL = "tierflow_placement";

	/** The channel a change of {@code tenant_cluster} notifies, payload the cluster. */
	static final String CLUSTER_CHANNEL = "tierflow_cluster";

	/** How the listening session shows in {@code pg_stat_activity}. */
	public static final String APPLICATION_NAME = "tierflow-placement-changes";

	private static final Logger log = LoggerFactory.getLogger(PlacementChanges.class);

	private static final int POLL_MILLIS = 500;

	private static final long MAX_BACKOFF_MILLIS = 5_000;

	/** About every 30 s, the session is asked whether it is still there. */
	private static final int CHECK_EVERY_POLLS = 60;

	private final TenancyProperties.Database control;

	private final PlacementDirectory directory;

	private final Duration ttl;

	private final AtomicLong evictions = new AtomicLong();

	private final Runnable clustersChanged;

	private final Consumer<String> warm;

	private volatile boolean running;

	private volatile boolean listening;

	private volatile Connection connection;

	private Thread thread;

	public PlacementChanges(TenancyProperties.Database control, PlacementDirectory directory, Duration ttl) {
		this(control, directory, ttl, () -> {
		});
	}

	/**
	 * @param clustersChanged reloads the clusters: run when one is registered or changed
	 * anywhere, and at each (re)connect
	 */
	public PlacementChanges(TenancyProperties.Database control, PlacementDirectory directory, Duration ttl,
			Runnable clustersChanged) {
		this(control, directory, ttl, clustersChanged, (store) -> {
		});
	}

	/**
	 * @param warm takes a tier move's announcement of its target store
	 * ({@link StoreWarmer#CHANNEL}); must not block
	 */
	public PlacementChanges(TenancyProperties.Database control, PlacementDirectory directory, Duration ttl,
			Runnable clustersChanged, Consumer<String> warm) {
		this.control = control;
		this.directory = directory;
		this.ttl = ttl;
		this.clustersChanged = clustersChanged;
		this.warm = warm;
	}

	@Override
	public synchronized void start() {
		if (this.running) {
			return;
		}
		this.running = true;
		this.thread = new Thread(this::run, APPLICATION_NAME);
		this.thread.setDaemon(true);
		this.thread.start();
	}

	@Override
	public synchronized void stop() {
		this.running = false;
		Thread t = this.thread;
		this.thread = null;
		if (t == null) {
			return;
		}
		closeQuietly(this.connection);
		try {
			t.join(5_000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Whether the feed is up: changes reach this instance as they commit. */
	public boolean isListening() {
		return this.listening;
	}

	/** Routes forgotten because their placement changed, since start. */
	public long evictions() {
		return this.evictions.get();
	}

	private void run() {
		long backoff = 100;
		while (this.running) {
			try (Connection con = open()) {
				this.connection = con;
				try (Statement listen = con.createStatement()) {
					listen.execute("listen " + CHANNEL);
					listen.execute("listen " + CLUSTER_CHANNEL);
					listen.execute("listen " + StoreWarmer.CHANNEL);
				}
				// Whatever changed while nobody listened is unknown.
				this.directory.evictAll();
				reloadClusters();
				this.listening = true;
				log.info("Listening for placement changes on the control database");
				backoff = 100;
				PGConnection pg = con.unwrap(PGConnection.class);
				for (long polls = 1; this.running; polls++) {
					PGNotification[] changes = pg.getNotifications(POLL_MILLIS);
					if (changes != null) {
						boolean clusters = false;
						for (PGNotification change : changes) {
							if (CLUSTER_CHANNEL.equals(change.getName())) {
								clusters = true;
							}
							else if (StoreWarmer.CHANNEL.equals(change.getName())) {
								this.warm.accept(change.getParameter());
							}
							else {
								evict(change.getParameter());
							}
						}
						if (clusters) {
							reloadClusters();
						}
					}
					// Polling only reads: a peer gone without a word (a cut network)
					// shows
					// only when something is sent.
					if (polls % CHECK_EVERY_POLLS == 0 && !con.isValid(5)) {
						throw new SQLException("the listening session does not answer");
					}
				}
			}
			catch (SQLException | RuntimeException ex) {
				if (!this.running) {
					break;
				}
				if (this.listening) {
					log.warn("Lost the placement change feed ({}); routes are trusted for at most {} until it is back",
							ex.getMessage(), this.ttl);
				}
				else {
					log.debug("Could not listen for placement changes: {}", ex.getMessage());
				}
				this.listening = false;
				pause(backoff);
				backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
			}
			finally {
				this.listening = false;
				this.connection = null;
			}
		}
	}

	private void reloadClusters() {
		try {
			this.clustersChanged.run();
		}
		catch (RuntimeException ex) {
			log.warn("Could not reload the clusters: {}", ex.toString());
		}
	}

	private void evict(String tenant) {
		try {
			this.directory.evict(UUID.fromString(tenant));
			this.evictions.incrementAndGet();
			log.debug("Placement of tenant {} changed: route forgotten", tenant);
		}
		catch (IllegalArgumentException ex) {
			log.warn("Ignored a placement change notice that names no tenant: '{}'", tenant);
		}
	}

	private Connection open() throws SQLException {
		Properties props = new Properties();
		props.setProperty("user", this.control.username());
		if (this.control.password() != null) {
			props.setProperty("password", this.control.password());
		}
		props.setProperty("ApplicationName", APPLICATION_NAME);
		// A dead peer is noticed by the poll's reads; keepalives catch a silent network.
		props.setProperty("tcpKeepAlive", "true");
		props.setProperty("connectTimeout", "10");
		return DriverManager.getConnection(this.control.jdbcUrl(), props);
	}

	/** Between reconnects: a doubling backoff, so a down database is not hammered. */
	private void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.running = false;
		}
	}

	private static void closeQuietly(Connection con) {
		if (con == null) {
			return;
		}
		try {
			con.close();
		}
		catch (SQLException ex) {
			// Closing to wake the listening thread; it is going away either way.
		}
	}

}
