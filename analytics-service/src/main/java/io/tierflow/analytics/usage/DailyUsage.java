package io.tierflow.analytics.usage;

import java.time.LocalDate;

/**
 * A tenant's usage on one day (UTC), or summed over a range (then {@code day} is null).
 *
 * @param bytesUploaded bytes of files uploaded
 * @param bytesDeleted bytes of files deleted
 */
public record DailyUsage(LocalDate day, long runsStarted, long runsCompleted, long runsFailed, long iterations,
		long cpuMillis, long filesUploaded, long filesDeleted, long bytesUploaded, long bytesDeleted,
		long usersCreated) {

	static final DailyUsage NONE = new DailyUsage(null, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

	DailyUsage plus(DailyUsage other) {
		return new DailyUsage(null, this.runsStarted + other.runsStarted, this.runsCompleted + other.runsCompleted,
				this.runsFailed + other.runsFailed, this.iterations + other.iterations,
				this.cpuMillis + other.cpuMillis, this.filesUploaded + other.filesUploaded,
				this.filesDeleted + other.filesDeleted, this.bytesUploaded + other.bytesUploaded,
				this.bytesDeleted + other.bytesDeleted, this.usersCreated + other.usersCreated);
	}

}
