package io.tierflow.tenancy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;
import io.tierflow.tenancy.TenancyTestApplication.NoteRepository;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.NoPlacementAvailableException;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.ProvisioningDeferredException;
import io.tierflow.tenancy.placement.StoreNames;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.placement.UnknownTenantException;
import io.tierflow.tenancy.routing.PlacementPools;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@SpringBootTest(classes = TenancyTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = "tierflow.tenancy.pools.cluster-max-size=1")
class TenantRoutingIT {

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TenancyTestProperties.register(registry, "routing");
	}

	@Autowired
	TenantProvisioner provisioner;

	@Autowired
	NoteRepository notes;

	@Autowired
	PlacementPools pools;

	@Autowired
	JdbcClient jdbc;

	@ParameterizedTest
	@EnumSource(Tier.class)
	void sameRepositoryServesEveryTierAndSeesOnlyItsTenant(Tier tier) {
		UUID a = provision(tier);
		UUID b = provision(tier);
		TenantContext.run(a, () -> this.notes.add("a-1"));
		TenantContext.run(b, () -> this.notes.add("b-1"));
		TenantContext.run(a, () -> this.notes.add("a-2"));

		TenantContext.run(a, () -> {
			assertThat(this.notes.everything()).containsExactly("a-1", "a-2");
			assertThat(this.notes.tenantIdsSeen()).containsExactly(a);
		});
		TenantContext.run(b, () -> assertThat(this.notes.everything()).containsExactly("b-1"));
	}

	@ParameterizedTest
	@EnumSource(Tier.class)
	void readsWithParametersSeeOnlyTheirTenantWhateverTheyAskFor(Tier tier) {
		UUID a = provision(tier);
		UUID b = provision(tier);
		TenantContext.run(a, () -> this.notes.add("a-1"));
		TenantContext.run(b, () -> this.notes.add("b-1"));
		TenantContext.run(a, () -> this.notes.add("x-2"));

		TenantContext.run(a, () -> {
			assertThat(this.notes.bodiesOf(a, null)).containsExactly("a-1", "x-2");
			assertThat(this.notes.bodiesOf(a, "x")).containsExactly("x-2");
			assertThat(this.notes.bodiesOf(b, null)).isEmpty();
			assertThat(this.notes.bodiesOfThenEverything(a)).containsExactly("a-1", "x-2", "a-1", "x-2");
			assertThat(this.notes.bodiesOfThenEverything(b)).containsExactly("a-1", "x-2");
		});
		TenantContext.run(b, () -> assertThat(this.notes.bodiesOf(a, null)).isEmpty());
	}

	@Test
	void everyTierGetsItsIsolationMode() {
		assertThat(placement(provision(Tier.SHARED)).isolation()).isEqualTo(IsolationMode.ROW);
		assertThat(placement(provision(Tier.DEDICATED)).isolation()).isEqualTo(IsolationMode.SCHEMA);
		TenantPlacement enterprise = placement(provision(Tier.ENTERPRISE));
		assertThat(enterprise.isolation()).isEqualTo(IsolationMode.DATABASE);
		assertThat(enterprise.database()).startsWith("routing_t_");
	}

	@ParameterizedTest
	@EnumSource(Tier.class)
	void rejectsWriteClaimingAnotherTenant(Tier tier) {
		UUID a = provision(tier);
		UUID b = provision(tier);
		TenantContext.run(a, () -> assertThatThrownBy(() -> this.notes.addAs(b, "forged")).rootCause()
			.hasMessageContaining("row-level security"));
		TenantContext.run(b, () -> assertThat(this.notes.everything()).isEmpty());
	}

	@Test
	void unfilteredUpdatesAndDeletesTouchOnlyTheCurrentTenantOnSharedTables() {
		UUID a = provision(Tier.SHARED);
		UUID b = provision(Tier.SHARED);
		UUID bNote = TenantContext.call(b, () -> this.notes.add("b-keep"));
		TenantContext.run(a, () -> this.notes.add("a-1"));

		TenantContext.run(a, () -> {
			assertThat(this.notes.updateEverything("owned")).isEqualTo(1);
			assertThat(this.notes.deleteById(bNote)).isZero();
		});
		TenantContext.run(b, () -> assertThat(this.notes.everything()).containsExactly("b-keep"));
	}

	@Test
	void applicationRoleOwnsNothingAndCannotBypassRowLevelSecurity() throws Exception {
		try (Connection con = TestPostgres.get().adminConnection("routing_shared");
				Statement st = con.createStatement()) {
			ResultSet role = st
				.executeQuery("select rolbypassrls, rolsuper from pg_roles where rolname = 'routing_app'");
			assertThat(role.next()).isTrue();
			assertThat(role.getBoolean(1)).isFalse();
			assertThat(role.getBoolean(2)).isFalse();
			ResultSet owned = st.executeQuery("select count(*) from pg_tables where tableowner = 'routing_app'");
			owned.next();
			assertThat(owned.getInt(1)).isZero();
			ResultSet rls = st.executeQuery("select relrowsecurity from pg_class where oid = 'shared.notes'::regclass");
			rls.next();
			assertThat(rls.getBoolean(1)).isTrue();
		}
	}

	@Test
	void poolsAreSizedByClusterAndIsolation() {
		TenantPlacement shared = placement(provision(Tier.SHARED));
		TenantPlacement enterprise = placement(provision(Tier.ENTERPRISE));
		// The test sets the base pools to 1; an enterprise tenant's own database gets the
		// enterprise default.
		assertThat(((HikariDataSource) this.pools.app(shared.cluster(), shared.database())).getMaximumPoolSize())
			.isEqualTo(1);
		assertThat(
				((HikariDataSource) this.pools.app(enterprise.cluster(), enterprise.database())).getMaximumPoolSize())
			.isEqualTo(8);
	}

	@ParameterizedTest
	@EnumSource(value = Tier.class, names = { "SHARED", "DEDICATED" })
	void pooledConnectionNeverCarriesThePreviousTenant(Tier tier) throws Exception {
		UUID a = provision(tier);
		TenantContext.run(a, () -> this.notes.add("a-1"));
		assertNoTenantOnPooledConnection(placement(a));
		// Reads send their settings with their first query.
		TenantContext.run(a, () -> assertThat(this.notes.bodiesOf(a, null)).containsExactly("a-1"));
		assertNoTenantOnPooledConnection(placement(a));
		TenantContext.run(a, () -> assertThat(this.notes.everything()).containsExactly("a-1"));
		assertNoTenantOnPooledConnection(placement(a));
	}

	@ParameterizedTest
	@EnumSource(value = Tier.class, names = { "SHARED", "DEDICATED" })
	void readsSendTheirSettingsWithTheirFirstQueryAndSchemasKeepTheirOwnPlans(Tier tier) throws Exception {
		UUID a = provision(tier);
		TenantContext.run(a, () -> this.notes.add("a-1"));
		// The driver prepares a statement on the server from its fifth use.
		for (int i = 0; i < 6; i++) {
			TenantContext.run(a, () -> assertThat(this.notes.bodiesOf(a, null)).containsExactly("a-1"));
		}
		TenantPlacement placement = placement(a);
		List<String> prepared = new java.util.ArrayList<>();
		try (Connection con = this.pools.app(placement.cluster(), placement.database()).getConnection();
				Statement st = con.createStatement();
				ResultSet rs = st.executeQuery("select statement from pg_prepared_statements")) {
			while (rs.next()) {
				prepared.add(rs.getString(1));
			}
		}
		// The settings' statement of a read is the one sent with its first query.
		assertThat(prepared).anyMatch(
				(sql) -> sql.contains("select set_config('tierflow.tenant_id', $1, true), set_config('search_path', '"
						+ placement.schema() + "', true)"));
		if (tier == Tier.DEDICATED) {
			// Other schemas' tenants used this connection before: each has its own.
			assertThat(prepared).filteredOn((sql) -> sql.contains("select body from notes"))
				.allMatch((sql) -> sql.contains("/* t_"))
				.anyMatch((sql) -> sql.contains("/* " + placement.schema() + " */"));
		}
	}

	private void assertNoTenantOnPooledConnection(TenantPlacement placement) throws Exception {
		// The cluster pool has a single connection: this is the one the transaction above
		// used.
		try (Connection con = this.pools.app(placement.cluster(), placement.database()).getConnection();
				Statement st = con.createStatement();
				ResultSet rs = st.executeQuery(
						"select coalesce(current_setting('tierflow.tenant_id', true), ''), current_setting('search_path')")) {
			rs.next();
			assertThat(rs.getString(1)).isEmpty();
			assertThat(rs.getString(2)).doesNotContain(placement.schema());
		}
	}

	@Test
	void ownDatabaseConnectionsCarryOnlyTheirTenant() throws Exception {
		UUID a = provision(Tier.ENTERPRISE);
		UUID b = provision(Tier.ENTERPRISE);
		TenantContext.run(a, () -> this.notes.add("a-1"));
		TenantContext.run(b, () -> this.notes.add("b-1"));
		for (UUID tenant : List.of(a, b)) {
			TenantPlacement placement = placement(tenant);
			assertThat(StoreNames.tenantOfDatabase("routing", placement.database())).contains(tenant);
			try (Connection con = this.pools.app(placement.cluster(), placement.database()).getConnection();
					Statement st = con.createStatement();
					ResultSet rs = st.executeQuery(
							"select current_setting('tierflow.tenant_id'), current_setting('search_path'), current_database()")) {
				rs.next();
				assertThat(rs.getString(1)).isEqualTo(tenant.toString());
				assertThat(rs.getString(2)).isEqualTo("tenant");
				assertThat(rs.getString(3)).isEqualTo(placement.database());
			}
			assertThat(TenantContext.call(tenant, this.notes::everything))
				.containsExactly(tenant.equals(a) ? "a-1" : "b-1");
		}
		assertThat(StoreNames.tenantOfDatabase("routing", "routing_shared")).isEmpty();
		assertThat(StoreNames.tenantOfDatabase("other", placement(a).database())).isEmpty();
	}

	@Test
	void tenantDataOutsideTransactionOrTenantScopeIsRefused() {
		UUID a = provision(Tier.SHARED);
		TenantContext.run(a,
				() -> assertThatThrownBy(
						() -> this.jdbc.sql("select count(*) from notes").query(Integer.class).single())
					.rootCause()
					.hasMessageContaining("inside a transaction"));
		assertThatThrownBy(this.notes::everything).hasMessageContaining("No tenant is bound");
	}

	@Test
	void unknownTenantIsReportedAsSuch() {
		UUID stranger = UUID.randomUUID();
		TenantContext.run(stranger,
				() -> assertThatThrownBy(this.notes::everything).isInstanceOf(UnknownTenantException.class));
	}

	@Test
	void placementRespectsRegionAndCapacity() {
		assertThatThrownBy(() -> this.provisioner.provision(UUID.randomUUID(), Tier.SHARED, "ap"))
			.isInstanceOf(NoPlacementAvailableException.class)
			.hasMessageContaining("region 'ap'");
		assertThatThrownBy(() -> this.provisioner.provision(UUID.randomUUID(), Tier.DEDICATED, "us"))
			.isInstanceOf(NoPlacementAvailableException.class)
			.hasMessageContaining("DEDICATED");
		UUID first = UUID.randomUUID();
		assertThat(this.provisioner.provision(first, Tier.SHARED, "us").cluster()).isEqualTo("shared-us");
		assertThatThrownBy(() -> this.provisioner.provision(UUID.randomUUID(), Tier.SHARED, "us"))
			.isInstanceOf(NoPlacementAvailableException.class)
			.hasMessageContaining("at capacity");
	}

	@Test
	void provisioningTwiceKeepsOnePlacement() {
		UUID tenant = UUID.randomUUID();
		TenantPlacement first = this.provisioner.provision(tenant, Tier.DEDICATED, "eu");
		TenantPlacement second = this.provisioner.provision(tenant, Tier.DEDICATED, "eu");
		assertThat(second).isEqualTo(first);
	}

	/**
	 * CREATE DATABASE fails while its template has other sessions (object_in_use): the
	 * server cannot serve for now, the request is not wrong. The tenant stays
	 * PROVISIONING, neither FAILED nor answered, and the redelivered request finishes it.
	 */
	@Test
	void aTransientFailureDefersProvisioningAndTheRetryFinishesIt() throws Exception {
		UUID tenant = UUID.randomUUID();
		try (Connection template = TestPostgres.get().adminConnection("template1")) {
			assertThatThrownBy(() -> this.provisioner.provision(tenant, Tier.ENTERPRISE, "eu"))
				.isInstanceOf(ProvisioningDeferredException.class)
				.hasMessageContaining(tenant.toString())
				.hasMessageContaining("template1");
			assertThat(placement(tenant).state()).isEqualTo(PlacementState.PROVISIONING);
			assertThat(placement(tenant).error()).isNull();
		}
		TenantPlacement placement = this.provisioner.provision(tenant, Tier.ENTERPRISE, "eu");
		assertThat(placement.state()).as(String.valueOf(placement.error())).isEqualTo(PlacementState.READY);
		TenantContext.run(tenant, () -> this.notes.add("after-retry"));
		TenantContext.run(tenant, () -> assertThat(this.notes.everything()).containsExactly("after-retry"));
	}

	private UUID provision(Tier tier) {
		UUID tenant = UUID.randomUUID();
		TenantPlacement placement = this.provisioner.provision(tenant, tier, "eu");
		assertThat(placement.state()).as(String.valueOf(placement.error())).isEqualTo(PlacementState.READY);
		return tenant;
	}

	private TenantPlacement placement(UUID tenant) {
		return this.provisioner.find(tenant).orElseThrow();
	}

}
