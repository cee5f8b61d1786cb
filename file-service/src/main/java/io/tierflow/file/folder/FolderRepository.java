package io.tierflow.file.folder;

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
 * Folders of the current tenant. Plain SQL on the tenancy core's JdbcClient: the same
 * statements run on shared tables, a tenant schema or a tenant database. Other features
 * may only ask whether a folder exists.
 */
@Repository
public class FolderRepository {

	private final JdbcClient jdbc;

	FolderRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	Folder insert(NewFolder folder) {
		UUID id = UuidCreator.getTimeOrderedEpoch();
		OffsetDateTime created = this.jdbc
			.sql("insert into folder (tenant_id, id, name, description) values (?, ?, ?, ?) returning created_at")
			.params(TenantContext.require(), id, folder.name(), folder.description())
			.query(OffsetDateTime.class)
			.single();
		return new Folder(id, folder.name(), folder.description(), created);
	}

	Optional<Folder> find(UUID id) {
		return this.jdbc.sql("select id, name, description, created_at from folder where id = ?")
			.param(id)
			.query(FolderRepository::row)
			.optional();
	}

	/** Whether the current tenant has folder {@code id}. */
	public boolean exists(UUID id) {
		return this.jdbc.sql("select exists (select 1 from folder where id = ?)")
			.param(id)
			.query(Boolean.class)
			.single();
	}

	List<Folder> page(int limit, long offset) {
		return this.jdbc.sql("select id, name, description, created_at from folder order by id limit ? offset ?")
			.params(limit, offset)
			.query(FolderRepository::row)
			.list();
	}

	private static Folder row(ResultSet rs, int i) throws SQLException {
		return new Folder(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
				rs.getObject(4, OffsetDateTime.class));
	}

}
