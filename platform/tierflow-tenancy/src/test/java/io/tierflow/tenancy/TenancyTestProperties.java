package io.tierflow.tenancy;

import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TestPostgres;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Clusters for tests: shared, dedicated and enterprise in region eu, a one-tenant shared
 * cluster in us.
 */
final class TenancyTestProperties {

	private TenancyTestProperties() {
	}

	static void register(DynamicPropertyRegistry registry, String service) {
		PostgresServer pg = TestPostgres.get();
		String[] dbs = { service + "_control", service + "_shared", service + "_dedicated", service + "_enterprise",
				service + "_shared_us" };
		for (String db : dbs) {
			pg.dropDatabase(db);
			pg.createDatabase(db);
		}
		registry.add("tierflow.tenancy.service", () -> service);
		registry.add("tierflow.tenancy.control.jdbc-url", () -> pg.jdbcUrl(dbs[0]));
		registry.add("tierflow.tenancy.control.username", pg::adminUser);
		registry.add("tierflow.tenancy.control.password", pg::adminPassword);
		registry.add("tierflow.tenancy.app-role.username", () -> service + "_app");
		registry.add("tierflow.tenancy.app-role.password", () -> "app-secret");
		String[][] clusters = { { "shared-eu", dbs[1], "SHARED", "eu", "1000" },
				{ "dedicated-eu", dbs[2], "DEDICATED", "eu", "1000" },
				{ "enterprise-eu", dbs[3], "ENTERPRISE", "eu", "1000" }, { "shared-us", dbs[4], "SHARED", "us", "1" } };
		for (int i = 0; i < clusters.length; i++) {
			String[] c = clusters[i];
			String prefix = "tierflow.tenancy.clusters[" + i + "].";
			registry.add(prefix + "name", () -> c[0]);
			registry.add(prefix + "jdbc-url", () -> pg.jdbcUrl(c[1]));
			registry.add(prefix + "username", pg::adminUser);
			registry.add(prefix + "password", pg::adminPassword);
			registry.add(prefix + "role", () -> c[2]);
			registry.add(prefix + "region", () -> c[3]);
			registry.add(prefix + "capacity", () -> c[4]);
		}
	}

}
