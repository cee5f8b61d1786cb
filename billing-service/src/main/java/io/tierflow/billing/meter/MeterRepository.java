package io.tierflow.billing.meter;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import com.github.f4b6a3.uuid.UuidCreator;
import io.tierflow.tenancy.context.TenantContext;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Meters of the current tenant. Plain SQL on the tenancy core's JdbcClient: the same
 * statements run on shared tables, a tenant schema or a tenant database.
 */
@Repository
class MeterRepository {

	private final JdbcClient jdbc;

	MeterRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	Meter insert(NewMeter meter) {
		UUID id = UuidCreator.getTimeOrderedEpoch();
		OffsetDateTime created = this.jdbc
			.sql("insert into meter (tenant_id, id, key, unit, description) values (?, ?, ?, ?, ?)"
					+ " returning created_at")
			.params(TenantContext.require(), id, meter.key(), meter.unit(), meter.description())
			.query(OffsetDateTime.class)
			.single();
		return new Meter(id, meter.key(), meter.unit(), meter.description(), created);
	}

	Optional<Meter> find(UUID id) {
		return this.jdbc.sql("select id, key, unit, description, created_at from meter where id = ?")
			.param(id)
			.query(MeterRepository::row)
			.optional();
	}

	List<Meter> page(int limit, long offset) {
		return this.jdbc.sql("select id, key, unit, description, created_at from meter order by id limit ? offset ?")
			.params(limit, offset)
			.query(MeterRepository::row)
			.list();
	}

	private static Meter row(ResultSet rs, int i) throws SQLException {
		return new Meter(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
				rs.getObject(5, OffsetDateTime.class));
	}

}
