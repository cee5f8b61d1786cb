package io.tierflow.tenant.user;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The users of tenants. */
@Repository
class UserRepository {

	private static final String COLUMNS = "id, tenant_id, email, name, role, created_at";

	private final JdbcClient jdbc;

	UserRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * @return when the user was created
	 * @throws org.springframework.dao.DuplicateKeyException if the tenant has a user with
	 * this e-mail address
	 */
	OffsetDateTime insert(UUID tenantId, UUID id, String email, String name, UserRole role) {
		return this.jdbc
			.sql("insert into tenant_user (tenant_id, id, email, name, role) values (?, ?, ?, ?, ?)"
					+ " returning created_at")
			.params(tenantId, id, email, name, role.name())
			.query(OffsetDateTime.class)
			.single();
	}

	int count(UUID tenantId) {
		return this.jdbc.sql("select count(*) from tenant_user where tenant_id = ?")
			.param(tenantId)
			.query(Integer.class)
			.single();
	}

	/** Finds the user and locks the row until the caller's transaction ends. */
	Optional<User> findForUpdate(UUID tenantId, UUID id) {
		return this.jdbc.sql("select " + COLUMNS + " from tenant_user where tenant_id = ? and id = ? for update")
			.params(tenantId, id)
			.query(this::user)
			.optional();
	}

	void updateRole(UUID tenantId, UUID id, UserRole role) {
		this.jdbc.sql("update tenant_user set role = ? where tenant_id = ? and id = ?")
			.params(role.name(), tenantId, id)
			.update();
	}

	/**
	 * @return false when the tenant has no such user
	 */
	boolean delete(UUID tenantId, UUID id) {
		return this.jdbc.sql("delete from tenant_user where tenant_id = ? and id = ?")
			.params(tenantId, id)
			.update() == 1;
	}

	List<User> page(UUID tenantId, int limit, long offset) {
		return this.jdbc.sql("select " + COLUMNS + " from tenant_user where tenant_id = ? order by id limit ? offset ?")
			.params(tenantId, limit, offset)
			.query(this::user)
			.list();
	}

	private User user(ResultSet rs, int i) throws SQLException {
		return new User(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
				UserRole.valueOf(rs.getString(5)), rs.getObject(6, OffsetDateTime.class));
	}

}
