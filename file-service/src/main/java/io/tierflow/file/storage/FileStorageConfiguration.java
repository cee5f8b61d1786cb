package io.tierflow.file.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierflow.events.inbox.EventInbox;
import io.tierflow.events.seats.UserSeats;
import io.tierflow.file.blob.BlobStore;
import io.tierflow.file.blob.LocalBlobStore;
import io.tierflow.file.blob.S3BlobStore;
import io.tierflow.file.blob.S3Endpoint;
import io.tierflow.file.blob.S3Settings;
import io.tierflow.tenancy.TenancyProperties;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The blob store, the orphan sweep's schedule, the tenant's seats and its uploads in
 * flight.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(FileStorageProperties.class)
@EnableScheduling
class FileStorageConfiguration {

	private static final Logger log = LoggerFactory.getLogger(FileStorageConfiguration.class);

	/**
	 * Blobs in S3 when {@code tierflow.files.s3.endpoint} is set, a bucket per region
	 * tenants may be placed in (the clusters' regions), made at start-up if missing;
	 * otherwise in the local directory {@code tierflow.files.blob-root}. Several
	 * instances share the S3 store; the local one serves only instances that share its
	 * directory.
	 */
	@Bean
	@ConditionalOnMissingBean
	BlobStore blobStore(FileStorageProperties properties, TenancyProperties tenancy, TenantProvisioner placements) {
		S3Settings s3 = properties.s3();
		if (!s3.enabled()) {
			return new LocalBlobStore(properties.blobRoot());
		}
		List<String> regions = tenancy.clusters().stream().map(TenancyProperties.Cluster::region).distinct().toList();
		S3Endpoint endpoint = S3Endpoint.connect(s3, regions);
		try {
			endpoint.createMissingBuckets();
		}
		catch (IOException ex) {
			endpoint.close();
			throw new UncheckedIOException("The S3 blob store at " + s3.endpoint() + " is not usable", ex);
		}
		log.info("Blobs in S3 at {}, buckets {}", s3.endpoint(), endpoint.buckets());
		return new S3BlobStore(endpoint, (tenant) -> placements.find(tenant).map(TenantPlacement::region));
	}

	@Bean
	UploadAdmission uploadAdmission(FileStorageProperties properties) {
		return new UploadAdmission(properties.maxConcurrentUploadsPerTenant());
	}

	/**
	 * Seats: each user.created adds one, and with it the per-user storage allowance.
	 * Bound as the Spring Cloud Stream function {@code userSeats}.
	 */
	@Bean
	UserSeats userSeats(EventInbox inbox, JdbcClient jdbc, ObjectProvider<JsonMapper> json,
			ObjectProvider<MeterRegistry> meters) {
		return new UserSeats("file", inbox, jdbc, json.getIfAvailable(() -> JsonMapper.builder().build()),
				meters.getIfAvailable());
	}

}
