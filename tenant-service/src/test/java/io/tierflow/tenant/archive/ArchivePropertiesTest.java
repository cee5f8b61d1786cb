package io.tierflow.tenant.archive;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ArchivePropertiesTest {

	@Test
	void defaultsToTheSharedTemporaryDirectoryAndTwoGigabyteUploads() {
		ArchiveProperties properties = bind(Map.of());
		assertThat(properties.archives()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "tierflow-archives"));
		assertThat(properties.maxImportSize()).isEqualTo(DataSize.ofGigabytes(2));
		assertThat(properties.exportsKept()).isEqualTo(3);
		assertThat(properties.exportSilence()).isEqualTo(Duration.ofMinutes(30));
	}

	@Test
	void takesTheArchiveDirectoryAndUploadLimitGiven() {
		ArchiveProperties properties = bind(
				Map.of("tierflow.tenants.archives", "/srv/archives", "tierflow.tenants.max-import-size", "512MB"));
		assertThat(properties.archives()).isEqualTo(Path.of("/srv/archives"));
		assertThat(properties.maxImportSize()).isEqualTo(DataSize.ofMegabytes(512));
	}

	@Test
	void rejectsNoUploadsNoKeptExportsAndAnExportThatIsNeverSilent() {
		assertThatExceptionOfType(BindException.class)
			.isThrownBy(() -> bind(Map.of("tierflow.tenants.max-import-size", "0B")));
		assertThatExceptionOfType(BindException.class)
			.isThrownBy(() -> bind(Map.of("tierflow.tenants.exports-kept", "0")));
		assertThatExceptionOfType(BindException.class)
			.isThrownBy(() -> bind(Map.of("tierflow.tenants.export-silence", "0s")));
	}

	private static ArchiveProperties bind(Map<String, String> values) {
		return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("tierflow.tenants",
				ArchiveProperties.class);
	}

}
