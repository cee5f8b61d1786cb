package io.tierflow.file.blob;

import java.io.IOException;
import java.net.URI;
import java.util.Collection;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

/**
 * An S3 endpoint as the {@link S3BlobStore} uses it: a client, and a bucket for each
 * data-residency region tenants may be placed in ({@link S3Settings#bucket}), created at
 * start-up when missing. Also where the SDK's failures become I/O failures
 * ({@link #call}).
 */
public final class S3Endpoint implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(S3Endpoint.class);

	private final S3Client client;

	private final S3Settings settings;

	private final List<String> buckets;

	private S3Endpoint(S3Client client, S3Settings settings, Collection<String> regions) {
		this.client = client;
		this.settings = settings;
		this.buckets = regions.stream().map(settings::bucket).distinct().sorted().toList();
	}

	/**
	 * Connects to the settings' endpoint for these regions (nothing is sent yet).
	 * @param regions every data-residency region tenants may be placed in: a bucket each
	 */
	public static S3Endpoint connect(S3Settings settings, Collection<String> regions) {
		return new S3Endpoint(client(settings), settings, regions);
	}

	/** A client of the settings' endpoint, on the Apache HTTP client 5. */
	public static S3Client client(S3Settings settings) {
		AwsCredentialsProvider credentials = settings.accessKey().isBlank()
				? DefaultCredentialsProvider.builder().build() : StaticCredentialsProvider
					.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
		return S3Client.builder()
			.endpointOverride(URI.create(settings.endpoint()))
			.region(Region.of(settings.region()))
			.credentialsProvider(credentials)
			.forcePathStyle(settings.pathStyle())
			// S3-compatible servers (S3Proxy, older MinIO) do not all take the CRC32
			// checksums the SDK sends by default (S3Proxy: 501 Not Implemented): only
			// where S3 requires one. The bytes' integrity is ours anyway: the SHA-256 of
			// every upload, checked again on import.
			.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
			.responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
			.httpClientBuilder(Apache5HttpClient.builder()
				.connectionTimeout(settings.connectTimeout())
				.socketTimeout(settings.socketTimeout()))
			.build();
	}

	/** The buckets, one per region, in name order. */
	public List<String> buckets() {
		return this.buckets;
	}

	/**
	 * Creates the buckets that do not exist yet; run at start-up. Another instance doing
	 * the same at the same time is no error.
	 */
	public void createMissingBuckets() throws IOException {
		for (String bucket : this.buckets) {
			boolean exists = call("Cannot look for bucket " + bucket, () -> {
				try {
					this.client.headBucket((b) -> b.bucket(bucket));
					return true;
				}
				catch (NoSuchBucketException ex) {
					return false;
				}
			});
			if (!exists) {
				call("Cannot create bucket " + bucket, () -> {
					try {
						this.client.createBucket((b) -> b.bucket(bucket));
						log.info("Created bucket {} at {}", bucket, this.settings.endpoint());
					}
					catch (BucketAlreadyOwnedByYouException | BucketAlreadyExistsException ex) {
						// Created meanwhile by another instance.
					}
					return null;
				});
			}
		}
	}

	S3Client client() {
		return this.client;
	}

	S3Settings settings() {
		return this.settings;
	}

	/** The bucket of a data-residency region. */
	String bucket(String region) {
		return this.settings.bucket(region);
	}

	@Override
	public void close() {
		this.client.close();
	}

	/**
	 * Runs S3 calls, turning the SDK's failures into I/O failures: no answer (refused,
	 * timed out, reset) or a failure on the store's side (5xx, throttling) into
	 * {@link BlobStoreUnavailableException}, anything else (denied, no such bucket, not
	 * implemented) into a plain {@link IOException}.
	 */
	static <T> T call(String what, S3Call<T> call) throws IOException {
		try {
			return call.run();
		}
		catch (SdkServiceException ex) {
			// 501 Not Implemented is no outage: the server lacks what was asked.
			if ((ex.statusCode() >= 500 && ex.statusCode() != 501) || ex.isThrottlingException()) {
				throw new BlobStoreUnavailableException(what + ": the S3 store answered " + ex.statusCode(), ex);
			}
			throw new IOException(what + ": " + ex.getMessage(), ex);
		}
		catch (SdkException ex) {
			throw new BlobStoreUnavailableException(what + ": the S3 store is out of reach (" + ex.getMessage() + ")",
					ex);
		}
	}

	@FunctionalInterface
	interface S3Call<T> {

		T run();

	}

}
