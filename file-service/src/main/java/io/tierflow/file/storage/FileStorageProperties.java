package io.tierflow.file.storage;

import java.nio.file.Path;
import java.time.Duration;

import io.tierflow.file.blob.S3Settings;
import io.tierflow.tenancy.placement.Tier;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Where file bytes are kept and how much a tenant may keep.
 *
 * @param blobRoot directory of the local blob store; one sub-directory per tenant. Used
 * when {@code s3} has no endpoint
 * @param s3 the S3 blob store, one bucket per region; chosen when it has an endpoint
 * @param maxFileSize largest single file an upload may carry; a bigger one is refused
 * with 413 as soon as the limit is passed
 * @param quota storage quota per tier
 * @param orphanAge how old a blob without metadata must be before the sweep removes it;
 * younger ones may belong to an upload whose transaction has not committed yet
 * @param orphanSweepInterval how often the orphan sweep runs
 * @param maxConcurrentUploadsPerTenant uploads a tenant may have in flight on one
 * instance at a time; one more is refused with 429 before its body is read (default 4, 1
 * to 1000)
 */
@Validated
@ConfigurationProperties("tierflow.files")
public record FileStorageProperties(@NotNull @DefaultValue("blobs") Path blobRoot,
		@Valid @NotNull @DefaultValue S3Settings s3, @NotNull @DefaultValue("5GB") DataSize maxFileSize,
		@Valid @NotNull @DefaultValue Quota quota, @NotNull @DefaultValue("1h") Duration orphanAge,
		@NotNull @DefaultValue("10m") Duration orphanSweepInterval,
		@DefaultValue("4") int maxConcurrentUploadsPerTenant) {

	public FileStorageProperties {
		if (maxFileSize != null && maxFileSize.toBytes() < 1) {
			throw new IllegalArgumentException("tierflow.files.max-file-size must be positive");
		}
		if (s3 != null && s3.enabled() && maxFileSize != null && maxFileSize.toBytes() > s3.largestObject()) {
			throw new IllegalArgumentException("tierflow.files.max-file-size must fit in 10,000 parts of "
					+ "tierflow.files.s3.part-size: at most " + s3.largestObject() + " bytes");
		}
		if (orphanAge != null && orphanAge.compareTo(Duration.ofMinutes(1)) < 0) {
			throw new IllegalArgumentException("tierflow.files.orphan-age must be at least a minute");
		}
		if (orphanSweepInterval != null && orphanSweepInterval.compareTo(Duration.ofSeconds(1)) < 0) {
			throw new IllegalArgumentException("tierflow.files.orphan-sweep-interval must be at least a second");
		}
		if (maxConcurrentUploadsPerTenant < 1 || maxConcurrentUploadsPerTenant > 1000) {
			throw new IllegalArgumentException(
					"tierflow.files.max-concurrent-uploads-per-tenant must be between 1 and 1000");
		}
	}

	/**
	 * Bytes a tenant may store, by tier: a base, plus an allowance for each of its users
	 * (seats, added by {@code user.created}).
	 *
	 * @param shared SHARED tier (trial, standard plans)
	 * @param dedicated DEDICATED tier (professional plan)
	 * @param enterprise ENTERPRISE tier
	 * @param perUser what each user adds, by tier
	 */
	public record Quota(@NotNull @DefaultValue("1GB") DataSize shared,
			@NotNull @DefaultValue("50GB") DataSize dedicated, @NotNull @DefaultValue("1TB") DataSize enterprise,
			@Valid @NotNull @DefaultValue PerUser perUser) {

		public Quota {
			for (DataSize size : new DataSize[] { shared, dedicated, enterprise }) {
				if (size != null && size.isNegative()) {
					throw new IllegalArgumentException("tierflow.files.quota values must not be negative");
				}
			}
		}

		/** The base quota of a tier, in bytes. */
		public long of(Tier tier) {
			return bytes(tier, this.shared, this.dedicated, this.enterprise);
		}

		/** The quota of a tenant of a tier with {@code seats} users, in bytes. */
		public long of(Tier tier, int seats) {
			long perUser = bytes(tier, this.perUser.shared(), this.perUser.dedicated(), this.perUser.enterprise());
			return Math.addExact(of(tier), Math.multiplyExact(perUser, seats));
		}

		private static long bytes(Tier tier, DataSize shared, DataSize dedicated, DataSize enterprise) {
			return switch (tier) {
				case SHARED -> shared.toBytes();
				case DEDICATED -> dedicated.toBytes();
				case ENTERPRISE -> enterprise.toBytes();
			};
		}

	}

	/**
	 * Bytes each user of a tenant adds to its quota, by tier.
	 *
	 * @param shared SHARED tier
	 * @param dedicated DEDICATED tier
	 * @param enterprise ENTERPRISE tier
	 */
	public record PerUser(@NotNull @DefaultValue("100MB") DataSize shared,
			@NotNull @DefaultValue("1GB") DataSize dedicated, @NotNull @DefaultValue("10GB") DataSize enterprise) {

		public PerUser {
			for (DataSize size : new DataSize[] { shared, dedicated, enterprise }) {
				if (size != null && size.isNegative()) {
					throw new IllegalArgumentException("tierflow.files.quota.per-user values must not be negative");
				}
			}
		}

	}

}
