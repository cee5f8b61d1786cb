package io.tierflow.tenant.tenant;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class OffboardingPropertiesTest {

	@Test
	void defaultsToAWeekOfGraceCheckedEveryThirtySeconds() {
		OffboardingProperties properties = bind(Map.of());
		assertThat(properties.eraseGrace()).isEqualTo(Duration.ofDays(7));
		assertThat(properties.eraseCheck()).isEqualTo(Duration.ofSeconds(30));
	}

	@Test
	void acceptsNoGraceAtAll() {
		assertThat(bind(Map.of("tierflow.tenants.erase-grace", "0s")).eraseGrace()).isZero();
	}

	@Test
	void rejectsANegativeGraceOrACheckThatNeverWaits() {
		assertThatExceptionOfType(BindException.class)
			.isThrownBy(() -> bind(Map.of("tierflow.tenants.erase-grace", "-1s")));
		assertThatExceptionOfType(BindException.class)
			.isThrownBy(() -> bind(Map.of("tierflow.tenants.erase-check", "0s")));
	}

	private static OffboardingProperties bind(Map<String, String> values) {
		return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("tierflow.tenants",
				OffboardingProperties.class);
	}

}
