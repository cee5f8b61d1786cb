package io.tierflow.testsupport;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestPostgresIT {

	@Test
	void givesOneLogicalReplicationReadyServerPerJvm() throws Exception {
		PostgresServer server = TestPostgres.get();
		String database = "tierflow_it_" + UUID.randomUUID().toString().replace("-", "");
		server.createDatabase(database);
		server.createDatabase(database);
		try (Connection connection = server.adminConnection(database);
				Statement statement = connection.createStatement()) {
			assertThat(value(statement, "SHOW wal_level")).isEqualTo("logical");
			assertThat(value(statement, "SELECT current_database()")).isEqualTo(database);
		}
		finally {
			server.dropDatabase(database);
		}
		try (Connection connection = server.adminConnection("postgres");
				Statement statement = connection.createStatement()) {
			assertThat(value(statement, "SELECT count(*) FROM pg_database WHERE datname = '" + database + "'"))
				.isEqualTo("0");
		}
		assertThat(TestPostgres.get()).isSameAs(server);
	}

	private static String value(Statement statement, String sql) throws Exception {
		try (ResultSet resultSet = statement.executeQuery(sql)) {
			assertThat(resultSet.next()).isTrue();
			return resultSet.getString(1);
		}
	}

}
