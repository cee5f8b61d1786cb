package io.tierflow.simulation.run;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.web.ErrorResponseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ProgressStreamSlotsTest {

	private final ProgressStreamSlots slots = new ProgressStreamSlots(new SimulationProperties.ProgressStreams(2, 3));

	@Test
	void refusesATenantsStreamOverItsCapUntilOneCloses() {
		UUID tenant = UUID.randomUUID();
		ProgressStreamSlots.Slot first = this.slots.acquire(tenant);
		this.slots.acquire(tenant);
		ErrorResponseException refused = catchThrowableOfType(ErrorResponseException.class,
				() -> this.slots.acquire(tenant));
		assertThat(refused.getStatusCode().value()).isEqualTo(429);
		assertThat(refused.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("5");
		assertThat(refused.getBody().getProperties()).containsEntry("limit", "progressStreamsPerTenant")
			.containsEntry("limitValue", 2);

		first.release();
		first.release(); // closed twice, freed once
		assertThat(this.slots.open(tenant)).isEqualTo(1);
		this.slots.acquire(tenant);
		assertThat(this.slots.open(tenant)).isEqualTo(2);
	}

	@Test
	void refusesAnyStreamOverTheInstancesCap() {
		UUID a = UUID.randomUUID();
		this.slots.acquire(a);
		ProgressStreamSlots.Slot second = this.slots.acquire(a);
		this.slots.acquire(UUID.randomUUID());
		ErrorResponseException refused = catchThrowableOfType(ErrorResponseException.class,
				() -> this.slots.acquire(UUID.randomUUID()));
		assertThat(refused.getBody().getProperties()).containsEntry("limit", "progressStreamsPerInstance");
		second.release();
		assertThat(this.slots.open()).isEqualTo(2);
		this.slots.acquire(UUID.randomUUID());
		assertThat(this.slots.open()).isEqualTo(3);
	}

}
