package io.tierflow.tenancy.lease;

import java.time.Duration;

/**
 * The lease of a scheduled job that runs on one instance of its service at a time, and at
 * most once per period across them ({@link JobLeases}).
 * <p>
 * The lease is held for at least {@code period} from the start of a run (ShedLock's
 * {@code lockAtLeastFor}). Each instance schedules its jobs with a fixed delay from its
 * own start, so the instances' turns come out of phase: a lease given up as soon as a
 * quick run ends would let the next instance whose turn comes run the job again a moment
 * later. Held for the period, it is free again when the holder's own next turn comes.
 *
 * @param name the lease's name, unique in the service's database:
 * {@code <service>.<job>}, at most 64 characters
 * @param period how often the job is scheduled
 * @param lockAtMostFor how long the lease stays taken when its holder never gives it up
 * (it died or hung in the middle of a run); another instance takes the job over after
 * that. Longer than a run takes: a run still going by then overlaps the next holder's,
 * which every job tolerates (each is safe to run concurrently) but which is the work the
 * lease is there to save. Never less than {@code period}: a shorter one is raised to it.
 */
public record JobLease(String name, Duration period, Duration lockAtMostFor) {

	public JobLease {
		if (name == null || name.isBlank() || name.length() > 64) {
			throw new IllegalArgumentException("A job lease needs a name of 1 to 64 characters: " + name);
		}
		if (period == null || period.isNegative() || period.isZero()) {
			throw new IllegalArgumentException("The period of job lease " + name + " must be positive: " + period);
		}
		if (lockAtMostFor == null) {
			throw new IllegalArgumentException("Job lease " + name + " needs a lockAtMostFor");
		}
		if (lockAtMostFor.compareTo(period) < 0) {
			lockAtMostFor = period;
		}
	}

}
