package io.tierflow.analytics.dashboard;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import com.github.f4b6a3.uuid.UuidCreator;
import io.tierflow.tenancy.context.TenantContext;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Dashboards of the current tenant. Plain SQL on the tenancy core's JdbcClient: the same
 * statements run on shared tables, a tenant schema or a tenant database.
 */
@Repository
class DashboardRepository {

	private final JdbcClient jdbc;

	private final JsonMapper json;

	DashboardRepository(JdbcClient jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	Dashboard insert(NewDashboard dashboard) {
		UUID id = UuidCreator.getTimeOrderedEpoch();
		String definition = dashboard.hasDefinition() ? this.json.writeValueAsString(dashboard.definition()) : "{}";
		OffsetDateTime created = this.jdbc
			.sql("insert into dashboard (tenant_id, id, name, definition) values (?, ?, ?, ?::jsonb)"
					+ " returning created_at")
			.params(TenantContext.require(), id, dashboard.name(), definition)
			.query(OffsetDateTime.class)
			.single();
		return new Dashboard(id, dashboard.name(), this.json.readTree(definition), created);
	}

	Optional<Dashboard> find(UUID id) {
		return this.jdbc.sql("select id, name, definition::text, created_at from dashboard where id = ?")
			.param(id)
			.query(this::row)
			.optional();
	}

	List<Dashboard> page(int limit, long offset) {
		return this.jdbc
			.sql("select id, name, definition::text, created_at from dashboard order by id limit ? offset ?")
			.params(limit, offset)
			.query(this::row)
			.list();
	}

	private Dashboard row(ResultSet rs, int i) throws SQLException {
		return new Dashboard(rs.getObject(1, UUID.class), rs.getString(2), this.json.readTree(rs.getString(3)),
				rs.getObject(4, OffsetDateTime.class));
	}

}
