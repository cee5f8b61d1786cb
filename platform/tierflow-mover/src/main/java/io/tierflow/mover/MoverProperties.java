package io.tierflow.mover;

import java.nio.file.Path;
import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How tier moves run ({@code tierflow.mover.*}).
 *
 * @param cutoverLag the stream must apply a probe within this before writers are fenced
 * @param catchUpDeadline how long copying and catching up may take before the move gives
 * up
 * @param fenceWait how long the tenant's writers may be held at most
 * @param heartbeat how often the stream reports its position while the tenant is quiet
 * @param sourceRemovalDelay added to the placement cache's time to live before a moved
 * tenant's old data is removed
 * @param eraseOutboxDrainWait how long an erase waits for the tenant's unsent events
 * (billing's final invoice.finalized, say) to be relayed before their store goes anyway
 * @param archives the directory of tenant archives (exports, and archives to import),
 * shared by every service of a suite (default: {@code tierflow-archives} in the temporary
 * directory)
 * @param balanceConcurrency tenants moved at a time off a draining cluster, or off one
 * above its high-water mark
 * @param balancePoll how often the instance holding the balance lease looks for such
 * clusters
 */
@ConfigurationProperties("tierflow.mover")
public record MoverProperties(@DefaultValue("200ms") Duration cutoverLag, @DefaultValue("30m") Duration catchUpDeadline,
		@DefaultValue("2s") Duration fenceWait, @DefaultValue("1s") Duration heartbeat,
		@DefaultValue("1s") Duration sourceRemovalDelay, @DefaultValue("30s") Duration eraseOutboxDrainWait,
		Path archives, @DefaultValue("2") @Min(1) @Max(32) int balanceConcurrency,
		@DefaultValue("5s") Duration balancePoll) {

	/**
	 * The archive directory: {@code archives}, or {@code tierflow-archives} in the
	 * temporary directory.
	 */
	Path archiveDirectory() {
		return (this.archives != null) ? this.archives
				: Path.of(System.getProperty("java.io.tmpdir"), "tierflow-archives");
	}

	TenantMover.Options options() {
		return new TenantMover.Options(this.cutoverLag, this.catchUpDeadline, this.fenceWait, this.heartbeat);
	}

}
