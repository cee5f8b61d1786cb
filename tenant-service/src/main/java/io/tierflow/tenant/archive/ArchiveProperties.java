package io.tierflow.tenant.archive;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Exports and imports of tenants ({@code tierflow.tenants.*}).
 *
 * @param archives the directory of tenant archives, the same one every tenant-data
 * service of the suite writes its parts to and loads them from
 * ({@code tierflow.mover.archives}); default {@code tierflow-archives} in the temporary
 * directory
 * @param maxImportSize the largest archive an import may upload; more than zero. The
 * upload is refused (413) as soon as it passes this, and what was received is removed.
 * @param exportsKept how many exports of a tenant are kept, with their archives; one more
 * export removes the oldest finished one (never one an import is reading); at least one
 * @param exportSilence how long an export may go without any reply from a service before
 * it counts as lost: a new export of the tenant then fails it and starts; more than zero
 */
@ConfigurationProperties("tierflow.tenants")
public record ArchiveProperties(Path archives, @DefaultValue("2GB") DataSize maxImportSize,
		@DefaultValue("3") int exportsKept, @DefaultValue("30m") Duration exportSilence) {

	public ArchiveProperties {
		if (archives == null) {
			archives = Path.of(System.getProperty("java.io.tmpdir"), "tierflow-archives");
		}
		if (maxImportSize.toBytes() <= 0) {
			throw new IllegalArgumentException(
					"tierflow.tenants.max-import-size must be more than zero: " + maxImportSize);
		}
		if (exportsKept < 1) {
			throw new IllegalArgumentException("tierflow.tenants.exports-kept must be at least 1: " + exportsKept);
		}
		if (exportSilence.isNegative() || exportSilence.isZero()) {
			throw new IllegalArgumentException(
					"tierflow.tenants.export-silence must be more than zero: " + exportSilence);
		}
	}

}
