package io.tierflow.file.blob;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Where an {@link S3BlobStore} keeps blobs: an S3 endpoint, one bucket per data-residency
 * region named {@code <bucketPrefix>-<region>}. Without an endpoint there is no S3 store
 * and blobs stay in the local directory.
 *
 * @param endpoint the S3 API's URL ({@code http://minio:9000}); empty: no S3 store
 * @param accessKey access key; empty: the SDK's default credentials chain (environment,
 * web identity, instance profile)
 * @param secretKey secret key, with the access key
 * @param bucketPrefix bucket names are this, a dash and the region (default
 * {@code tierflow-files}): lower-case letters, digits and dashes
 * @param pathStyle path-style requests ({@code endpoint/bucket/key}), as MinIO and
 * S3Proxy take them (default true); false for virtual-hosted buckets
 * @param region the region requests are signed for (default {@code us-east-1}); not a
 * tenant's region, which picks the bucket
 * @param partSize bytes an upload holds in memory at a time: content up to this size goes
 * in one request, larger content as a multipart upload in parts of this size (default
 * 8MB; at least 5MB, S3's smallest part, at most 512MB)
 * @param connectTimeout how long connecting to the endpoint may take (default 2s)
 * @param socketTimeout how long a request may wait for the next bytes (default 30s)
 */
public record S3Settings(@DefaultValue("") String endpoint, @DefaultValue("") String accessKey,
		@DefaultValue("") String secretKey, @DefaultValue("tierflow-files") String bucketPrefix,
		@DefaultValue("true") boolean pathStyle, @DefaultValue("us-east-1") String region,
		@DefaultValue("8MB") DataSize partSize, @DefaultValue("2s") Duration connectTimeout,
		@DefaultValue("30s") Duration socketTimeout) {

	/** S3's smallest part of a multipart upload but the last. */
	static final DataSize MIN_PART_SIZE = DataSize.ofMegabytes(5);

	private static final DataSize MAX_PART_SIZE = DataSize.ofMegabytes(512);

	/** Bucket names of S3: 3 to 63 lower-case letters, digits, dots and dashes. */
	private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9-]{1,61}[a-z0-9]");

	public S3Settings {
		endpoint = (endpoint != null) ? endpoint.strip() : "";
		if (!endpoint.isEmpty()) {
			URI uri;
			try {
				uri = URI.create(endpoint);
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("tierflow.files.s3.endpoint is not a URL: " + endpoint, ex);
			}
			if (uri.getScheme() == null || uri.getHost() == null) {
				throw new IllegalArgumentException("tierflow.files.s3.endpoint must be an http(s) URL: " + endpoint);
			}
		}
		if (bucketPrefix == null || !BUCKET.matcher(bucketPrefix + "-eu").matches()) {
			throw new IllegalArgumentException("tierflow.files.s3.bucket-prefix must be lower-case letters, digits "
					+ "and dashes, leaving room for '-<region>' in a bucket name: " + bucketPrefix);
		}
		if (region == null || region.isBlank()) {
			throw new IllegalArgumentException("tierflow.files.s3.region must name the signing region");
		}
		if (partSize != null && (partSize.compareTo(MIN_PART_SIZE) < 0 || partSize.compareTo(MAX_PART_SIZE) > 0)) {
			throw new IllegalArgumentException("tierflow.files.s3.part-size must be between 5MB and 512MB");
		}
	}

	/**
	 * The largest object an upload can make: S3 takes at most 10,000 parts.
	 */
	public long largestObject() {
		return this.partSize.toBytes() * 10_000;
	}

	/** Whether blobs go to S3 rather than to the local directory. */
	public boolean enabled() {
		return !this.endpoint.isEmpty();
	}

	/**
	 * The bucket of a data-residency region.
	 * @throws IllegalArgumentException when the region cannot be part of a bucket name
	 */
	public String bucket(String dataRegion) {
		String bucket = this.bucketPrefix + "-" + dataRegion.toLowerCase(Locale.ROOT);
		if (!BUCKET.matcher(bucket).matches()) {
			throw new IllegalArgumentException(
					"Region '" + dataRegion + "' makes no valid bucket name with prefix " + this.bucketPrefix);
		}
		return bucket;
	}

}
