package io.tierflow.tenancy;

import java.util.List;
import java.util.UUID;

import com.github.f4b6a3.uuid.UuidCreator;
import io.tierflow.tenancy.context.TenantContext;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** A one-table tenant-data application: what a service looks like to the tenancy core. */
@SpringBootApplication
class TenancyTestApplication {

	/** Repository code as services write it: no tenant filter, no mode branches. */
	@Repository
	static class NoteRepository {

		private final JdbcClient jdbc;

		NoteRepository(JdbcClient jdbc) {
			this.jdbc = jdbc;
		}

		@Transactional
		UUID add(String body) {
			UUID id = UuidCreator.getTimeOrderedEpoch();
			this.jdbc.sql("insert into notes (tenant_id, id, body) values (?, ?, ?)")
				.params(TenantContext.require(), id, body)
				.update();
			return id;
		}

		@Transactional
		void addAs(UUID claimedTenant, String body) {
			this.jdbc.sql("insert into notes (tenant_id, id, body) values (?, ?, ?)")
				.params(claimedTenant, UuidCreator.getTimeOrderedEpoch(), body)
				.update();
		}

		/**
		 * Deliberately unfiltered: what an attacker hopes a forgotten WHERE clause
		 * returns.
		 */
		@Transactional(readOnly = true)
		List<String> everything() {
			return this.jdbc.sql("select body from notes order by id").query(String.class).list();
		}

		/**
		 * A prepared first query, which carries the read transaction's settings; an
		 * attacker's filter on another tenant's id.
		 */
		@Transactional(readOnly = true)
		List<String> bodiesOf(UUID tenant, String prefix) {
			return this.jdbc.sql(
					"select body from notes where tenant_id = ? and (?::text is null or body like ? || '%') order by id")
				.params(tenant, prefix, prefix)
				.query(String.class)
				.list();
		}

		/** Two queries in one read transaction: the settings hold for the second too. */
		@Transactional(readOnly = true)
		List<String> bodiesOfThenEverything(UUID tenant) {
			List<String> all = new java.util.ArrayList<>(bodiesOf(tenant, null));
			all.addAll(everything());
			return all;
		}

		@Transactional(readOnly = true)
		List<UUID> tenantIdsSeen() {
			return this.jdbc.sql("select distinct tenant_id from notes").query(UUID.class).list();
		}

		@Transactional
		int updateEverything(String body) {
			return this.jdbc.sql("update notes set body = ?").param(body).update();
		}

		@Transactional
		int deleteById(UUID id) {
			return this.jdbc.sql("delete from notes where id = ?").param(id).update();
		}

	}

}
