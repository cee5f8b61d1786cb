package io.tierflow.mover;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.github.f4b6a3.uuid.UuidCreator;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.events.Topics;
import io.tierflow.testsupport.TestKafka;
import io.tierflow.testsupport.TestPostgres;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** A one-table tenant-data service, run as two instances over the same databases. */
@SpringBootApplication
class MoverTestApplication {

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

		@Transactional(readOnly = true)
		List<UUID> ids() {
			return this.jdbc.sql("select id from notes").query(UUID.class).list();
		}

	}

	/**
	 * Fresh databases for a service: control, shared and dedicated clusters in region eu;
	 * the properties of an instance.
	 */
	static Map<String, String> properties(String service) {
		PostgresServer pg = TestPostgres.get();
		String[] dbs = { service + "_control", service + "_shared", service + "_dedicated", service + "_enterprise" };
		for (String db : dbs) {
			pg.dropDatabase(db);
			pg.createDatabase(db);
		}
		Map<String, String> p = new LinkedHashMap<>();
		p.put("tierflow.tenancy.service", service);
		p.put("tierflow.tenancy.control.jdbc-url", pg.jdbcUrl(dbs[0]));
		p.put("tierflow.tenancy.control.username", pg.adminUser());
		p.put("tierflow.tenancy.control.password", pg.adminPassword());
		p.put("tierflow.tenancy.app-role.username", service + "_app");
		p.put("tierflow.tenancy.app-role.password", "app-secret");
		// The event backbone, with the tenant lifecycle (and tier changes) bound.
		String kafka = TestKafka.get().bootstrapServers();
		p.put("spring.kafka.bootstrap-servers", kafka);
		p.putAll(TestKafka.get().springProperties());
		p.put("spring.cloud.stream.kafka.binder.brokers", kafka);
		p.put("spring.cloud.function.definition", "tenantLifecycle");
		p.put("spring.cloud.stream.bindings.tenantLifecycle-in-0.destination", Topics.TENANT);
		p.put("spring.cloud.stream.bindings.tenantLifecycle-in-0.group", service);
		p.put("tierflow.events.relay.sweep-interval", "1s");
		String[][] clusters = { { "shared-eu", dbs[1], "SHARED" }, { "dedicated-eu", dbs[2], "DEDICATED" },
				{ "enterprise-eu", dbs[3], "ENTERPRISE" } };
		for (int i = 0; i < clusters.length; i++) {
			String prefix = "tierflow.tenancy.clusters[" + i + "].";
			p.put(prefix + "name", clusters[i][0]);
			p.put(prefix + "jdbc-url", pg.jdbcUrl(clusters[i][1]));
			p.put(prefix + "username", pg.adminUser());
			p.put(prefix + "password", pg.adminPassword());
			p.put(prefix + "role", clusters[i][2]);
			p.put(prefix + "region", "eu");
			p.put(prefix + "capacity", "1000");
		}
		return p;
	}

}
