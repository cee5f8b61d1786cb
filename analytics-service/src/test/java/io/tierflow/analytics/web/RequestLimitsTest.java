package io.tierflow.analytics.web;

import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The service's body limit refuses values that cannot work (the filter is the
 * platform's).
 */
class RequestLimitsTest {

	@Test
	void refusesLimitsThatCannotWork() {
		assertThatIllegalArgumentException().isThrownBy(() -> new RequestLimits(DataSize.ofBytes(10)));
		assertThatIllegalArgumentException().isThrownBy(() -> new RequestLimits(DataSize.ofGigabytes(1)));
	}

}
