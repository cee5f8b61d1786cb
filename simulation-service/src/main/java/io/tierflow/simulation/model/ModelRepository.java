package io.tierflow.simulation.model;

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
 * Models of the current tenant. Plain SQL on the tenancy core's JdbcClient: the same
 * statements run on shared tables, a tenant schema or a tenant database. Public for the
 * runs, which read the model they run.
 */
@Repository
public class ModelRepository {

	private final JdbcClient jdbc;

	private final JsonMapper json;

	ModelRepository(JdbcClient jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	SimulationModel insert(NewModel model) {
		UUID id = UuidCreator.getTimeOrderedEpoch();
		String definition = (model.definition() != null) ? this.json.writeValueAsString(model.definition()) : "{}";
		OffsetDateTime created = this.jdbc
			.sql("insert into simulation_model (tenant_id, id, name, description, definition)"
					+ " values (?, ?, ?, ?, ?::jsonb) returning created_at")
			.params(TenantContext.require(), id, model.name(), model.description(), definition)
			.query(OffsetDateTime.class)
			.single();
		return new SimulationModel(id, model.name(), model.description(), this.json.readTree(definition), created);
	}

	/**
	 * Replaces the current tenant's model's name, description and definition.
	 * @return the model as it is now, or empty when the tenant has no such model
	 */
	Optional<SimulationModel> update(UUID id, NewModel model) {
		String definition = (model.definition() != null) ? this.json.writeValueAsString(model.definition()) : "{}";
		return this.jdbc
			.sql("update simulation_model set name = ?, description = ?, definition = ?::jsonb where id = ?"
					+ " returning created_at")
			.params(model.name(), model.description(), definition, id)
			.query(OffsetDateTime.class)
			.optional()
			.map((created) -> new SimulationModel(id, model.name(), model.description(), this.json.readTree(definition),
					created));
	}

	/** The current tenant's model, if it has one with this id. */
	public Optional<SimulationModel> find(UUID id) {
		return this.jdbc
			.sql("select id, name, description, definition::text, created_at from simulation_model where id = ?")
			.param(id)
			.query(this::row)
			.optional();
	}

	List<SimulationModel> page(int limit, long offset) {
		return this.jdbc
			.sql("select id, name, description, definition::text, created_at from simulation_model"
					+ " order by id limit ? offset ?")
			.params(limit, offset)
			.query(this::row)
			.list();
	}

	private SimulationModel row(java.sql.ResultSet rs, int i) throws java.sql.SQLException {
		return new SimulationModel(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
				this.json.readTree(rs.getString(4)), rs.getObject(5, OffsetDateTime.class));
	}

}
