package io.tierflow.file.storage;

import java.util.UUID;

import io.tierflow.file.storage.UploadAdmission.Reservation;
import io.tierflow.file.storage.UploadAdmission.UploadSlot;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class UploadAdmissionTest {

	private final UploadAdmission admission = new UploadAdmission(2);

	private final UUID tenant = UUID.randomUUID();

	@Test
	void refusesOneSlotMoreThanTheCapUntilOneIsGivenBack() {
		UploadSlot first = this.admission.admit(this.tenant);
		this.admission.admit(this.tenant);
		assertThatExceptionOfType(TooManyUploadsException.class).isThrownBy(() -> this.admission.admit(this.tenant));
		// Another tenant has slots of its own.
		this.admission.admit(UUID.randomUUID()).close();

		first.close();
		first.close();

		assertThat(this.admission.slotsTaken(this.tenant)).isEqualTo(1);
		this.admission.admit(this.tenant);
		assertThat(this.admission.slotsTaken(this.tenant)).isEqualTo(2);
	}

	@Test
	void reservesOnlyWhatTheOtherUploadsLeft() {
		UploadSlot first = this.admission.admit(this.tenant);
		UploadSlot second = this.admission.admit(this.tenant);

		Reservation a = first.reserve(first.beforeUsageRead(), 1000, 700);
		Reservation b = second.reserve(second.beforeUsageRead(), 1000, 700);

		assertThat(a).isEqualTo(new Reservation(700, 0));
		assertThat(b).isEqualTo(new Reservation(300, 700));
		assertThat(this.admission.reservedBytes(this.tenant)).isEqualTo(1000);
		first.close();
		second.close();
		assertThat(this.admission.reservedBytes(this.tenant)).isZero();
		assertThat(this.admission.slotsTaken(this.tenant)).isZero();
	}

	@Test
	void asksForTheUsageAgainWhenAnUploadEndedSinceItWasRead() {
		UploadSlot committing = this.admission.admit(this.tenant);
		committing.reserve(committing.beforeUsageRead(), 1000, 600);
		UploadSlot next = this.admission.admit(this.tenant);
		long marker = next.beforeUsageRead();

		// Committed and given back after the usage was read: the usage read misses its
		// bytes, and so would the reservations.
		committing.close();

		assertThat(next.reserve(marker, 1000, 600)).isNull();
		assertThat(next.reserve(next.beforeUsageRead(), 400, 600)).isEqualTo(new Reservation(400, 0));
	}

}
