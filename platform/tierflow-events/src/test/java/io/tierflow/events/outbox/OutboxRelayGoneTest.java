package io.tierflow.events.outbox;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OutboxRelayGoneTest {

	@Test
	void aMissingTableSchemaOrDatabaseIsAGoneStore() {
		assertThat(OutboxRelay.gone(new SQLException("relation \"t_1.outbox\" does not exist", "42P01"))).isTrue();
		assertThat(OutboxRelay.gone(new SQLException("schema \"t_1\" does not exist", "3F000"))).isTrue();
		// A dropped tenant database fails when the pool connects: wrapped by the pool.
		assertThat(OutboxRelay
			.gone(new RuntimeException("pool", new SQLException("database \"tenant_1\" does not exist", "3D000"))))
			.isTrue();
	}

	@Test
	void otherFailuresAreNot() {
		assertThat(OutboxRelay.gone(new SQLException("connection refused", "08001"))).isFalse();
		assertThat(OutboxRelay.gone(new SQLException("canceling statement due to lock timeout", "55P03"))).isFalse();
		assertThat(OutboxRelay.gone(new IllegalStateException("broker timed out"))).isFalse();
	}

}
