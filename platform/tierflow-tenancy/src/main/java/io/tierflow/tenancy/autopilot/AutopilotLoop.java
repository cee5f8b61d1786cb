package io.tierflow.tenancy.autopilot;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.tierflow.tenancy.lease.JobLease;
import io.tierflow.tenancy.lease.JobLeases;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Every {@code flush}: each instance adds its tenants' activity to the control database;
 * the one holding the autopilot's lease then turns the loop.
 */
public final class AutopilotLoop implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(AutopilotLoop.class);

	private final TenantStatistics statistics;

	private final Autopilot autopilot;

	private final AutopilotProperties properties;

	private final JobLease lease;

	private final Supplier<JobLeases> leases;

	private ScheduledExecutorService scheduler;

	public AutopilotLoop(TenantStatistics statistics, Autopilot autopilot, AutopilotProperties properties,
			JobLease lease, Supplier<JobLeases> leases) {
		this.statistics = statistics;
		this.autopilot = autopilot;
		this.properties = properties;
		this.lease = lease;
		this.leases = leases;
	}

	@Override
	public void start() {
		this.scheduler = Executors.newSingleThreadScheduledExecutor((r) -> {
			Thread t = new Thread(r, "tierflow-autopilot");
			t.setDaemon(true);
			return t;
		});
		long every = this.properties.flush().toMillis();
		this.scheduler.scheduleWithFixedDelay(this::turn, every, every, TimeUnit.MILLISECONDS);
	}

	private void turn() {
		try {
			this.statistics.flush();
			Runnable loop = () -> this.autopilot.turn(this.properties.window(), this.properties.measureLimit());
			JobLeases jobLeases = this.leases.get();
			if (jobLeases != null) {
				jobLeases.run(this.lease, loop);
			}
			else {
				loop.run();
			}
		}
		catch (RuntimeException ex) {
			log.warn("The placement autopilot's turn failed: {}", ex.toString());
		}
	}

	@Override
	public void stop() {
		if (this.scheduler != null) {
			this.scheduler.shutdownNow();
			this.scheduler = null;
		}
		// What this instance counted since the last flush is not lost on a clean
		// stop.
		try {
			this.statistics.flush();
		}
		catch (RuntimeException ex) {
			log.debug("Activity not flushed at stop: {}", ex.toString());
		}
	}

	@Override
	public boolean isRunning() {
		return this.scheduler != null;
	}

}
