package io.tierflow.tenancy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.tierflow.tenancy.lease.JobLease;
import io.tierflow.tenancy.lease.JobLeases;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Instances of one service (contexts on one control database, as the auto-configuration
 * wires them) share a job's lease: of two racing for a turn, one runs the job and neither
 * runs it again until the period is over; a holder that dies in the middle of a run keeps
 * the lease until its {@code lockAtMostFor} runs out, and then another instance takes the
 * job over.
 */
class JobLeasesIT {

	private static final String SERVICE = "leases";

	private static final Map<String, Object> PROPERTIES = new LinkedHashMap<>();

	private static ConfigurableApplicationContext one;

	private static ConfigurableApplicationContext other;

	@BeforeAll
	static void startTwoInstances() {
		TenancyTestProperties.register((name, value) -> PROPERTIES.put(name, value.get()), SERVICE);
		one = start();
		other = start();
	}

	@AfterAll
	static void stop() {
		for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { one, other }) {
			if (context != null) {
				context.close();
			}
		}
	}

	@Test
	void twoInstancesRacingForATurnRunTheJobOncePerPeriod() throws Exception {
		JobLease lease = new JobLease("test.race", Duration.ofSeconds(5), Duration.ofMinutes(1));
		AtomicInteger runs = new AtomicInteger();
		CyclicBarrier together = new CyclicBarrier(2);
		ExecutorService instances = Executors.newFixedThreadPool(2);
		try {
			List<Future<Boolean>> turns = List.of(one, other).stream().map((instance) -> instances.submit(() -> {
				together.await();
				return leases(instance).run(lease, runs::incrementAndGet);
			})).toList();
			assertThat(List.of(turns.get(0).get(), turns.get(1).get())).containsExactlyInAnyOrder(true, false);
		}
		finally {
			instances.shutdownNow();
		}
		assertThat(runs).hasValue(1);

		// The run is over, its period is not: the next turns are skipped, the holder's
		// too.
		assertThat(leases(one).run(lease, runs::incrementAndGet)).isFalse();
		assertThat(leases(other).run(lease, runs::incrementAndGet)).isFalse();
		assertThat(runs).hasValue(1);

		// The first turn after the period runs the job again.
		await().atMost(Duration.ofSeconds(30)).until(() -> leases(other).run(lease, runs::incrementAndGet));
		assertThat(runs).hasValue(2);
	}

	@Test
	void aJobWhoseHolderDiedIsTakenOverWhenItsLeaseRunsOut() throws Exception {
		JobLease lease = new JobLease("test.takeover", Duration.ofSeconds(1), Duration.ofSeconds(3));
		ConfigurableApplicationContext doomed = start();
		CountDownLatch running = new CountDownLatch(1);
		CountDownLatch never = new CountDownLatch(1);
		ExecutorService holder = Executors.newSingleThreadExecutor();
		try {
			holder.submit(() -> leases(doomed).run(lease, () -> {
				running.countDown();
				awaitQuietly(never);
			}));
			assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
			Lease held = lease(lease.name());

			// The instance goes away in the middle of its run: nothing gives the lease
			// back.
			doomed.close();

			AtomicInteger runs = new AtomicInteger();
			await().atMost(Duration.ofSeconds(30)).until(() -> leases(one).run(lease, runs::incrementAndGet));
			assertThat(runs).hasValue(1);
			// Not before the dead holder's lease ran out, by the database's clock.
			Lease taken = lease(lease.name());
			assertThat(taken.lockedBy()).isNotEqualTo(held.lockedBy());
			assertThat(taken.lockedAt()).isAfterOrEqualTo(held.lockUntil());
		}
		finally {
			never.countDown();
			holder.shutdownNow();
		}
	}

	private static ConfigurableApplicationContext start() {
		return new SpringApplicationBuilder(TenancyTestApplication.class).web(WebApplicationType.NONE)
			.properties(PROPERTIES)
			.run();
	}

	private static JobLeases leases(ConfigurableApplicationContext instance) {
		return instance.getBean(JobLeases.class);
	}

	/** The lease's row, straight from the control database. */
	private static Lease lease(String name) throws SQLException {
		try (Connection con = TestPostgres.get().adminConnection(SERVICE + "_control");
				PreparedStatement ps = con.prepareStatement(
						"select lock_until, locked_at, locked_by from tierflow.shedlock where name = ?")) {
			ps.setString(1, name);
			try (ResultSet rs = ps.executeQuery()) {
				assertThat(rs.next()).as("lease %s in the control database", name).isTrue();
				return new Lease(rs.getTimestamp(1), rs.getTimestamp(2), rs.getString(3));
			}
		}
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private record Lease(Timestamp lockUntil, Timestamp lockedAt, String lockedBy) {
	}

}
