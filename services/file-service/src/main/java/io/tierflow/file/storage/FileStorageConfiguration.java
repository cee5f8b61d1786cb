package io.tierflow.file.storage;

import io.tierflow.file.blob.BlobStore;
import io.tierflow.file.blob.LocalBlobStore;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The blob store and the orphan sweep's schedule. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(FileStorageProperties.class)
@EnableScheduling
class FileStorageConfiguration {

	@Bean
	@ConditionalOnMissingBean
	BlobStore blobStore(FileStorageProperties properties) {
		return new LocalBlobStore(properties.blobRoot());
	}

}
