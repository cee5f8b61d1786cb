package io.tierflow.file.storage;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierflow.events.inbox.EventInbox;
import io.tierflow.events.seats.UserSeats;
import io.tierflow.file.blob.BlobStore;
import io.tierflow.file.blob.LocalBlobStore;
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

	@Bean
	@ConditionalOnMissingBean
	BlobStore blobStore(FileStorageProperties properties) {
		return new LocalBlobStore(properties.blobRoot());
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
