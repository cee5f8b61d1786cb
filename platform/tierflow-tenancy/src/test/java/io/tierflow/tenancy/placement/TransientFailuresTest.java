package io.tierflow.tenancy.placement;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.UncategorizedSQLException;

import static org.assertj.core.api.Assertions.assertThat;

class TransientFailuresTest {

	@ParameterizedTest
	@ValueSource(strings = { "08006", "08001", "08003", "57P01", "57P03", "53300", "55P03", "55006", "40001" })
	void aServerThatCannotServeForNowIsTransient(String state) {
		SQLException cause = new SQLException("from the server", state);
		assertThat(TransientFailures.isTransient(cause)).isTrue();
		assertThat(TransientFailures.isTransient(new UncategorizedSQLException("migrate", "create", cause))).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "42601", "42P01", "23505", "22001", "53100", "XX000", "57014" })
	void aWrongRequestOrABrokenStoreIsNot(String state) {
		assertThat(TransientFailures.isTransient(new SQLException("from the server", state))).isFalse();
	}

	@Test
	void thePoolHavingNoConnectionInTimeIsTransient() {
		assertThat(TransientFailures.isTransient(new CannotGetJdbcConnectionException("no connection",
				new SQLTransientConnectionException("Connection is not available, request timed out after 30000ms."))))
			.isTrue();
		assertThat(TransientFailures.isTransient(
				new PSQLException("Connection to localhost:1 refused.", PSQLState.CONNECTION_UNABLE_TO_CONNECT)))
			.isTrue();
	}

	@Test
	void withoutAnSqlCauseNothingIsTransient() {
		assertThat(TransientFailures.isTransient(new IllegalStateException("bug"))).isFalse();
		assertThat(TransientFailures.isTransient(new SQLException("no state"))).isFalse();
		assertThat(TransientFailures.isTransient(null)).isFalse();
	}

	@Test
	void aLoopOfCausesEnds() {
		RuntimeException a = new RuntimeException("a");
		RuntimeException b = new RuntimeException("b", a);
		a.initCause(b);
		assertThat(TransientFailures.isTransient(b)).isFalse();
	}

}
