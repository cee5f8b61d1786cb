package io.tierflow.file.storage;

import io.tierflow.tenancy.context.TenantContext;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The current tenant's storage usage row: bytes and files, changed only in the
 * transactions that add or remove files, under a row lock.
 */
@Repository
class StorageUsageRepository {

	private final JdbcClient jdbc;

	StorageUsageRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** The usage as committed; zero for a tenant that never stored a file. */
	Usage read() {
		return this.jdbc.sql("select bytes, files from storage_usage")
			.query((rs, i) -> new Usage(rs.getLong(1), rs.getLong(2)))
			.optional()
			.orElse(Usage.NONE);
	}

	/**
	 * Locks the tenant's usage row until the transaction ends (creating it first if need
	 * be) and returns it: concurrent uploads and deletions of the tenant line up here, so
	 * each sees the usage the previous one left.
	 */
	Usage lock() {
		this.jdbc.sql("insert into storage_usage (tenant_id) values (?) on conflict (tenant_id) do nothing")
			.param(TenantContext.require())
			.update();
		return this.jdbc.sql("select bytes, files from storage_usage for update")
			.query((rs, i) -> new Usage(rs.getLong(1), rs.getLong(2)))
			.single();
	}

	/** Adds to the locked row (negative values for deletions). */
	void add(long bytes, int files) {
		this.jdbc.sql("update storage_usage set bytes = bytes + ?, files = files + ?").params(bytes, files).update();
	}

	/** Bytes and files stored. */
	record Usage(long bytes, long files) {

		static final Usage NONE = new Usage(0, 0);

	}

}
