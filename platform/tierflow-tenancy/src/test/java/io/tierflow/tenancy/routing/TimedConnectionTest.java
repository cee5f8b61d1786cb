package io.tierflow.tenancy.routing;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TimedConnectionTest {

	@Test
	void theRoutingsOwnStatementsAreNotTimedButQueriesCarryingSettingsAre() {
		assertThat(TimedConnection.isRouting(TenantConnection.SETTINGS)).isTrue();
		assertThat(TimedConnection.isRouting("select tierflow_fence.enter_write(?::uuid, ?)")).isTrue();
		assertThat(TimedConnection.isRouting("/* t_0123 */ select set_config('tierflow.tenant_id', ?, true),"
				+ " set_config('search_path', ?, true), tierflow_fence.enter_write(?::uuid, ?)"))
			.isTrue();
		assertThat(TimedConnection.isRouting("select set_config('tierflow.tenant_id', ?, true); select * from notes"))
			.isFalse();
		assertThat(TimedConnection.isRouting("/* t_0123 */ select * from notes")).isFalse();
		assertThat(TimedConnection.isRouting("insert into notes values (?)")).isFalse();
	}

}
