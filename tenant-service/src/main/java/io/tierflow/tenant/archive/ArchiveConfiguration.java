package io.tierflow.tenant.archive;

import java.io.IOException;
import java.io.UncheckedIOException;

import jakarta.servlet.MultipartConfigElement;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.multipart.support.StandardServletMultipartResolver;

/**
 * The archive directory, and uploads bounded by {@code tierflow.tenants.max-import-size}
 * (these beans take the place of {@code spring.servlet.multipart.*}, so the two cannot
 * disagree).
 */
@Configuration(proxyBeanMethods = false)
class ArchiveConfiguration {

	/** Room for the import's form fields beside its archive. */
	private static final long FIELDS = 64 * 1024;

	@Bean
	ArchiveDirectory archiveDirectory(ArchiveProperties properties) {
		return new ArchiveDirectory(properties.archives());
	}

	/**
	 * Uploads are written to the import area as they arrive, never held in memory, and
	 * refused as soon as they pass the limit; the server removes what it received when
	 * the request ends.
	 */
	@Bean
	MultipartConfigElement multipartConfigElement(ArchiveDirectory archives, ArchiveProperties properties) {
		long max = properties.maxImportSize().toBytes();
		try {
			return new MultipartConfigElement(archives.importArea().toString(), max, max + FIELDS, 0);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Parses an upload only when the endpoint reads it, after the caller's token was
	 * checked: a caller who may not import never makes the server store an archive.
	 */
	@Bean
	StandardServletMultipartResolver multipartResolver() {
		StandardServletMultipartResolver resolver = new StandardServletMultipartResolver();
		resolver.setResolveLazily(true);
		return resolver;
	}

}
