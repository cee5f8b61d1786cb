package io.tierflow.file.blob;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class S3SettingsTest {

	@Test
	void namesABucketPerRegionAfterThePrefix() {
		S3Settings settings = settings("http://127.0.0.1:9000", "tierflow-files", DataSize.ofMegabytes(8));

		assertThat(settings.enabled()).isTrue();
		assertThat(settings.bucket("eu")).isEqualTo("tierflow-files-eu");
		assertThat(settings.bucket("US")).isEqualTo("tierflow-files-us");
		assertThat(settings.largestObject()).isEqualTo(10_000 * DataSize.ofMegabytes(8).toBytes());
	}

	@Test
	void withoutAnEndpointBlobsStayLocal() {
		assertThat(settings("", "tierflow-files", DataSize.ofMegabytes(8)).enabled()).isFalse();
		assertThat(settings("  ", "tierflow-files", DataSize.ofMegabytes(8)).enabled()).isFalse();
	}

	@Test
	void rejectsWhatCannotWork() {
		assertThatIllegalArgumentException().isThrownBy(() -> settings("localhost", "p", DataSize.ofMegabytes(8)));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> settings("http://s3", "Tierflow_Files", DataSize.ofMegabytes(8)));
		assertThatIllegalArgumentException().isThrownBy(() -> settings("http://s3", "files", DataSize.ofMegabytes(4)));
		S3Settings settings = settings("http://s3", "files", DataSize.ofMegabytes(8));
		assertThatIllegalArgumentException().isThrownBy(() -> settings.bucket("eu/../us"));
	}

	private static S3Settings settings(String endpoint, String prefix, DataSize partSize) {
		return new S3Settings(endpoint, "key", "secret", prefix, true, "us-east-1", partSize, Duration.ofSeconds(2),
				Duration.ofSeconds(30));
	}

}
