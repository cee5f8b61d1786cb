package io.tierflow.tenancy.lease;

import net.javacrumbs.shedlock.core.ClockProvider;
import net.javacrumbs.shedlock.core.DefaultLockingTaskExecutor;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.core.LockingTaskExecutor;
import net.javacrumbs.shedlock.core.LockingTaskExecutor.TaskWithResult;
import net.javacrumbs.shedlock.support.LockException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a service's scheduled jobs under their {@link JobLease}: of all the service's
 * instances, the one that takes a job's lease runs it and the others skip their turn.
 * Leases are rows of ShedLock's {@code shedlock} table in the service's own database (a
 * tenant-data service's control database, never a tenant store), timed by the database's
 * clock so that the instances' clocks do not matter. Each job stays safe to run on
 * several instances at once (row locks, idempotent effects): a holder that outlives
 * {@code lockAtMostFor} costs work, never correctness.
 * <p>
 * The lease is taken where a job's {@code SchedulingConfigurer} hands it to the
 * scheduler, not around the job's method (ShedLock's {@code @SchedulerLock}): the
 * schedules come from validated properties records, which annotations do not reach, and a
 * direct call of the method (a test) runs at once.
 */
public class JobLeases {

	private static final Logger log = LoggerFactory.getLogger(JobLeases.class);

	private final LockingTaskExecutor executor;

	public JobLeases(LockProvider locks) {
		this.executor = new DefaultLockingTaskExecutor(locks);
	}

	/**
	 * Runs {@code job} on this thread if this instance takes the job's lease, which it
	 * then keeps until the period is over. When the lease's database does not answer, the
	 * job does not run: its turn is logged and skipped.
	 * @param lease the job's lease
	 * @param job the job; its exceptions are rethrown after the lease is released
	 * @return whether the job ran here
	 */
	public boolean run(JobLease lease, Runnable job) {
		LockConfiguration lock = new LockConfiguration(ClockProvider.now(), lease.name(), lease.lockAtMostFor(),
				lease.period());
		TaskWithResult<Void> task = () -> {
			job.run();
			return null;
		};
		try {
			return this.executor.executeWithLock(task, lock).wasExecuted();
		}
		catch (LockException ex) {
			log.warn("Job {} skipped: its lease could not be taken: {}", lease.name(), ex.getCause());
			return false;
		}
		catch (RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			// A Runnable throws nothing checked.
			throw new IllegalStateException(ex);
		}
	}

}
