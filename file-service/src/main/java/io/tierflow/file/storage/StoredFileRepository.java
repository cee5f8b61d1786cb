package io.tierflow.file.storage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.tierflow.tenancy.context.TenantContext;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * File metadata of the current tenant. Plain SQL on the tenancy core's JdbcClient: the
 * same statements run on shared tables, a tenant schema or a tenant database.
 */
@Repository
class StoredFileRepository {

	private static final String COLUMNS = "id, name, content_type, size, sha256, folder_id, uploaded_by, created_at";

	/** Ids per existence query of the orphan sweep. */
	private static final int CHUNK = 500;

	private final JdbcClient jdbc;

	StoredFileRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	StoredFile insert(UUID id, String name, String contentType, long size, String sha256, UUID folderId,
			String uploadedBy) {
		OffsetDateTime created = this.jdbc
			.sql("insert into file (tenant_id, id, name, content_type, size, sha256, folder_id, uploaded_by)"
					+ " values (?, ?, ?, ?, ?, ?, ?, ?) returning created_at")
			.params(TenantContext.require(), id, name, contentType, size, sha256, folderId, uploadedBy)
			.query(OffsetDateTime.class)
			.single();
		return new StoredFile(id, name, contentType, size, sha256, folderId, uploadedBy, created);
	}

	Optional<StoredFile> find(UUID id) {
		return this.jdbc.sql("select " + COLUMNS + " from file where id = ?")
			.param(id)
			.query(StoredFileRepository::row)
			.optional();
	}

	/** A page of files, newest first (ids are time-ordered UUIDv7). */
	List<StoredFile> page(UUID folderId, int limit, long offset) {
		if (folderId == null) {
			return this.jdbc.sql("select " + COLUMNS + " from file order by id desc limit ? offset ?")
				.params(limit, offset)
				.query(StoredFileRepository::row)
				.list();
		}
		return this.jdbc.sql("select " + COLUMNS + " from file where folder_id = ? order by id desc limit ? offset ?")
			.params(folderId, limit, offset)
			.query(StoredFileRepository::row)
			.list();
	}

	/** Deletes the file's row; returns what it held and when it went. */
	Optional<Deleted> delete(UUID id) {
		return this.jdbc.sql("delete from file where id = ? returning " + COLUMNS + ", now()")
			.param(id)
			.query((rs, i) -> new Deleted(row(rs, i), rs.getObject(9, OffsetDateTime.class)))
			.optional();
	}

	/** Which of the given ids have a row. */
	Set<UUID> existing(Collection<UUID> ids) {
		List<UUID> all = List.copyOf(ids);
		Set<UUID> found = new HashSet<>();
		for (int from = 0; from < all.size(); from += CHUNK) {
			List<UUID> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
			found.addAll(this.jdbc.sql("select id from file where id in (:ids)")
				.param("ids", chunk)
				.query(UUID.class)
				.list());
		}
		return found;
	}

	private static StoredFile row(ResultSet rs, int i) throws SQLException {
		return new StoredFile(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getLong(4),
				rs.getString(5), rs.getObject(6, UUID.class), rs.getString(7), rs.getObject(8, OffsetDateTime.class));
	}

	/** A deleted file's row and the time of its deletion. */
	record Deleted(StoredFile file, OffsetDateTime at) {
	}

}
