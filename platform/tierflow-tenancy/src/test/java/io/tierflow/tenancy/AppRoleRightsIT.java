package io.tierflow.tenancy;

import java.sql.Connection;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A service refuses to start when its application role is one row-level security does not
 * bind (an operator made it with BYPASSRLS or SUPERUSER), and starts once the role is
 * fixed.
 */
class AppRoleRightsIT {

	private static final String SERVICE = "approle";

	private static final String ROLE = "approle_rogue_app";

	@Test
	void refusesAnApplicationRoleThatBypassesRowLevelSecurity() throws Exception {
		PostgresServer pg = TestPostgres.get();
		try (Connection con = pg.adminConnection("postgres"); Statement st = con.createStatement()) {
			st.execute("drop role if exists " + ROLE);
			st.execute("create role " + ROLE + " login password 'app-secret' bypassrls");
		}
		try {
			assertThatThrownBy(this::start).hasRootCauseMessage("The application role " + ROLE
					+ " on cluster shared-eu has BYPASSRLS: row-level security would not hold for it. Run ALTER ROLE "
					+ ROLE + " NOSUPERUSER NOBYPASSRLS, or name another role in tierflow.tenancy.app-role.username.");

			try (Connection con = pg.adminConnection("postgres"); Statement st = con.createStatement()) {
				st.execute("alter role " + ROLE + " nobypassrls");
			}
			try (ConfigurableApplicationContext context = start()) {
				assertThat(context.isActive()).isTrue();
			}
		}
		finally {
			for (String db : new String[] { "_control", "_shared", "_dedicated", "_enterprise", "_shared_us" }) {
				pg.dropDatabase(SERVICE + db);
			}
			try (Connection con = pg.adminConnection("postgres"); Statement st = con.createStatement()) {
				st.execute("drop owned by " + ROLE + " cascade");
				st.execute("drop role if exists " + ROLE);
			}
			catch (java.sql.SQLException ex) {
				// Owned objects live in the dropped databases: the role may still be
				// referenced elsewhere, and a throwaway cluster goes anyway.
			}
		}
	}

	private ConfigurableApplicationContext start() {
		Map<String, Object> properties = new LinkedHashMap<>();
		TenancyTestProperties.register((name, value) -> properties.put(name, value.get()), SERVICE);
		properties.put("tierflow.tenancy.app-role.username", ROLE);
		return new SpringApplicationBuilder(TenancyTestApplication.class).web(WebApplicationType.NONE)
			.properties(properties)
			.run();
	}

}
