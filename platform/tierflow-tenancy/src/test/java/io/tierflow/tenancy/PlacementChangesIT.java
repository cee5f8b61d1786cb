package io.tierflow.tenancy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.tierflow.tenancy.TenancyTestApplication.NoteRepository;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.TenantSuspendedException;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.placement.UnknownTenantException;
import io.tierflow.tenancy.routing.PlacementChanges;
import io.tierflow.tenancy.routing.PlacementPools;
import io.tierflow.tenancy.routing.StoreWarmer;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Placement changes made by another instance of the service (here: straight in the
 * control tables, as that instance's repository would) reach this one's route cache as
 * they commit. The cache's time to live is ten minutes, so nothing but the change feed
 * can make these pass.
 */
@SpringBootTest(classes = TenancyTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = "tierflow.tenancy.placement-cache-ttl=10m")
class PlacementChangesIT {

	private static final String SERVICE = "changes";

	private static final Duration WITHIN = Duration.ofSeconds(15);

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TenancyTestProperties.register(registry, SERVICE);
	}

	@Autowired
	TenantProvisioner provisioner;

	@Autowired
	NoteRepository notes;

	@Autowired
	PlacementChanges changes;

	@Autowired
	PlacementPools pools;

	@Autowired
	TenancyProperties properties;

	@Test
	void aTenantSuspendedByAnotherInstanceIsNotServedHere() throws Exception {
		UUID tenant = provision(Tier.SHARED);
		TenantContext.run(tenant, () -> this.notes.add("before"));
		assertThat(TenantContext.call(tenant, this.notes::everything)).containsExactly("before");

		elsewhere("update tenant_placement set suspended = true, updated_at = now() where tenant_id = ?", tenant);

		await().atMost(WITHIN)
			.untilAsserted(() -> assertThatThrownBy(() -> TenantContext.run(tenant, () -> this.notes.add("after")))
				.isInstanceOf(TenantSuspendedException.class));
		elsewhere("update tenant_placement set suspended = false, updated_at = now() where tenant_id = ?", tenant);
		await().atMost(WITHIN)
			.untilAsserted(
					() -> assertThat(TenantContext.call(tenant, this.notes::everything)).containsExactly("before"));
	}

	@Test
	void aPlacementRemovedElsewhereStopsRoutingHere() throws Exception {
		UUID tenant = provision(Tier.DEDICATED);
		TenantContext.run(tenant, () -> this.notes.add("kept until erased"));

		elsewhere("delete from tenant_placement where tenant_id = ?", tenant);

		await().atMost(WITHIN)
			.untilAsserted(() -> assertThatThrownBy(() -> TenantContext.call(tenant, this.notes::everything))
				.isInstanceOf(UnknownTenantException.class));
	}

	@Test
	void theFeedComesBackAfterItsSessionIsKilledAndForgetsWhatItMissed() throws Exception {
		UUID tenant = provision(Tier.ENTERPRISE);
		TenantContext.run(tenant, () -> this.notes.add("one"));
		await().atMost(WITHIN).until(this.changes::isListening);
		List<Integer> before = listeners();
		assertThat(before).hasSize(1);

		// Killed, and the tenant suspended before the feed is back: no notice reaches
		// this instance, so it must forget its routes when it listens again.
		try (Connection con = control();
				PreparedStatement ps = con.prepareStatement(
						"select pg_terminate_backend(pid) from pg_stat_activity where application_name = ?"
								+ " and datname = current_database()")) {
			ps.setString(1, PlacementChanges.APPLICATION_NAME);
			ps.executeQuery().close();
			try (PreparedStatement suspend = con
				.prepareStatement("update tierflow.tenant_placement set suspended = true where tenant_id = ?")) {
				suspend.setObject(1, tenant);
				suspend.executeUpdate();
			}
		}

		await().atMost(WITHIN).until(() -> {
			List<Integer> now = listeners();
			return now.size() == 1 && !now.equals(before) && this.changes.isListening();
		});
		await().atMost(WITHIN)
			.untilAsserted(() -> assertThatThrownBy(() -> TenantContext.call(tenant, this.notes::everything))
				.isInstanceOf(TenantSuspendedException.class));
		long evictions = this.changes.evictions();
		elsewhere("update tenant_placement set suspended = false where tenant_id = ?", tenant);
		await().atMost(WITHIN).until(() -> this.changes.evictions() > evictions);
		assertThat(TenantContext.call(tenant, this.notes::everything)).containsExactly("one");
	}

	/**
	 * A tier move announces its target store before the cutover; every instance fills its
	 * pool for it, so the writers the fence held do not wait for connections to be made
	 * one by one when it lifts.
	 */
	@Test
	void aMovesAnnouncementWarmsThePoolOfItsTargetHere() throws Exception {
		UUID tenant = provision(Tier.ENTERPRISE);
		TenantPlacement placement = this.provisioner.find(tenant).orElseThrow();
		String cluster = placement.cluster();
		String database = placement.database();
		await().atMost(WITHIN).until(this.changes::isListening);
		// Closed, as it is once idle for its idle time.
		this.pools.evict(cluster, database);
		assertThat(this.pools.openConnections(cluster, database)).isZero();

		try (Connection con = control(); PreparedStatement ps = con.prepareStatement("select pg_notify(?, ?)")) {
			ps.setString(1, StoreWarmer.CHANNEL);
			// One that names no store is ignored; the next is still heard.
			ps.setString(2, "../../etc");
			ps.executeQuery().close();
			ps.setString(2, cluster + "/" + database);
			ps.executeQuery().close();
		}

		int size = this.properties.databasePoolSize(this.pools.cluster(cluster));
		await().atMost(WITHIN).until(() -> this.pools.openConnections(cluster, database) >= Math.max(1, size - 2));
		// Warm, the tenant is served as before.
		TenantContext.run(tenant, () -> this.notes.add("served from a warm pool"));
		assertThat(TenantContext.call(tenant, this.notes::everything)).containsExactly("served from a warm pool");
	}

	private UUID provision(Tier tier) {
		UUID tenant = UUID.randomUUID();
		TenantPlacement placement = this.provisioner.provision(tenant, tier, "eu");
		assertThat(placement.state()).as(String.valueOf(placement.error())).isEqualTo(PlacementState.READY);
		return tenant;
	}

	/** What another instance of the service does to the shared control tables. */
	private static void elsewhere(String sql, UUID tenant) throws SQLException {
		try (Connection con = control()) {
			con.createStatement().execute("set search_path = tierflow");
			try (PreparedStatement ps = con.prepareStatement(sql)) {
				ps.setObject(1, tenant);
				assertThat(ps.executeUpdate()).isEqualTo(1);
			}
		}
	}

	private static List<Integer> listeners() throws SQLException {
		try (Connection con = control();
				PreparedStatement ps = con.prepareStatement(
						"select pid from pg_stat_activity where application_name = ? and datname = current_database()")) {
			ps.setString(1, PlacementChanges.APPLICATION_NAME);
			List<Integer> pids = new ArrayList<>();
			try (ResultSet rs = ps.executeQuery()) {
				while (rs.next()) {
					pids.add(rs.getInt(1));
				}
			}
			return pids;
		}
	}

	private static Connection control() throws SQLException {
		PostgresServer pg = TestPostgres.get();
		return DriverManager.getConnection(pg.jdbcUrl(SERVICE + "_control"), pg.adminUser(), pg.adminPassword());
	}

}
