package io.tierflow.tenancy;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

class TenancyPropertiesTest {

	@Test
	void enterpriseDatabasesGetTheLargestPoolsByDefault() {
		TenancyProperties properties = bind(Map.of());
		assertThat(properties.basePoolSize(properties.clusters().get(0))).isEqualTo(10);
		assertThat(properties.databasePoolSize(properties.clusters().get(1))).isEqualTo(3);
		assertThat(properties.databasePoolSize(properties.clusters().get(2))).isEqualTo(8);
	}

	@Test
	void poolSizesAreSetPerIsolationAndPerCluster() {
		TenancyProperties properties = bind(Map.of("tierflow.tenancy.pools.cluster-max-size", "20",
				"tierflow.tenancy.pools.database-max-size", "2", "tierflow.tenancy.pools.enterprise-database-max-size",
				"12", "tierflow.tenancy.clusters[1].pools.database-max-size", "4",
				"tierflow.tenancy.clusters[2].pools.max-size", "6"));
		assertThat(properties.basePoolSize(properties.clusters().get(0))).isEqualTo(20);
		assertThat(properties.databasePoolSize(properties.clusters().get(0))).isEqualTo(2);
		assertThat(properties.databasePoolSize(properties.clusters().get(1))).isEqualTo(4);
		assertThat(properties.basePoolSize(properties.clusters().get(1))).isEqualTo(20);
		assertThat(properties.basePoolSize(properties.clusters().get(2))).isEqualTo(6);
		assertThat(properties.databasePoolSize(properties.clusters().get(2))).isEqualTo(12);
	}

	private static TenancyProperties bind(Map<String, String> extra) {
		Map<String, String> properties = new HashMap<>();
		properties.put("tierflow.tenancy.service", "pools");
		properties.put("tierflow.tenancy.control.jdbc-url", "jdbc:postgresql://localhost/control");
		properties.put("tierflow.tenancy.control.username", "owner");
		properties.put("tierflow.tenancy.app-role.username", "pools_app");
		properties.put("tierflow.tenancy.app-role.password", "secret");
		String[] roles = { "SHARED", "DEDICATED", "ENTERPRISE" };
		for (int i = 0; i < roles.length; i++) {
			String prefix = "tierflow.tenancy.clusters[" + i + "].";
			properties.put(prefix + "name", roles[i].toLowerCase());
			properties.put(prefix + "jdbc-url", "jdbc:postgresql://localhost/" + roles[i].toLowerCase());
			properties.put(prefix + "username", "owner");
			properties.put(prefix + "role", roles[i]);
			properties.put(prefix + "region", "eu");
		}
		properties.putAll(extra);
		return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("tierflow.tenancy",
				TenancyProperties.class);
	}

}
