package io.tierflow.mover;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import io.tierflow.mover.MoverTestApplication.NoteRepository;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.ClusterConflictException;
import io.tierflow.tenancy.placement.ClusterRegistry;
import io.tierflow.tenancy.placement.ClusterRequestException;
import io.tierflow.tenancy.placement.ClusterRole;
import io.tierflow.tenancy.placement.ClusterState;
import io.tierflow.tenancy.placement.NoPlacementAvailableException;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Clusters at run time, with two instances of a service: a cluster registered on one is a
 * placement target of the other within seconds, and a cluster drained while its tenants
 * are written loses nothing.
 */
class ClusterDrainIT {

	private static final String SERVICE = "drain";

	/** The property both instances resolve the new clusters' password from. */
	private static final String PASSWORD_REF = "tierflow.test.new-cluster-password";

	private static ConfigurableApplicationContext one;

	private static ConfigurableApplicationContext two;

	@BeforeAll
	static void twoInstances() {
		Map<String, String> properties = new LinkedHashMap<>(MoverTestApplication.properties(SERVICE));
		properties.put(PASSWORD_REF, TestPostgres.get().adminPassword());
		properties.put("tierflow.mover.balance-poll", "300ms");
		properties.put("tierflow.mover.balance-concurrency", "2");
		// A moved tenant's old store goes once every instance forgot its route.
		properties.put("tierflow.tenancy.placement-cache-ttl", "2s");
		for (String db : List.of(SERVICE + "_dedicated2", SERVICE + "_dedicated3", SERVICE + "_dedicated4")) {
			TestPostgres.get().dropDatabase(db);
			TestPostgres.get().createDatabase(db);
		}
		one = start(properties);
		two = start(properties);
	}

	@AfterAll
	static void stop() {
		two.close();
		one.close();
	}

	@Test
	void aClusterRegisteredOnOneInstanceTakesTheOthersTenantsWithinSeconds() {
		ClusterRegistry registry = one.getBean(ClusterRegistry.class);
		PostgresServer pg = TestPostgres.get();
		List<String> dedicated = activeDedicated(registry);
		dedicated.forEach((c) -> registry.update(c, null, null, ClusterState.UNHEALTHY, "test: nothing new here"));
		await().atMost(Duration.ofSeconds(5))
			.until(() -> dedicated.stream().noneMatch(two.getBean(ClusterRegistry.class)::takesTenants));
		assertThatThrownBy(() -> provision(two, Tier.DEDICATED)).isInstanceOf(NoPlacementAvailableException.class)
			.hasMessageContaining("unhealthy");

		long registeredAt = System.nanoTime();
		registry.register(new ClusterRegistry.Registration("dedicated-eu-2", pg.jdbcUrl(SERVICE + "_dedicated2"),
				pg.adminUser(), PASSWORD_REF, ClusterRole.DEDICATED, "eu", 100, 0.85, null, null), bootstrap(one));
		await().atMost(Duration.ofSeconds(5))
			.until(() -> two.getBean(ClusterRegistry.class).find("dedicated-eu-2").isPresent());
		double seconds = (System.nanoTime() - registeredAt) / 1e9;

		UUID tenant = provision(two, Tier.DEDICATED);
		TenantPlacement placed = two.getBean(TenantProvisioner.class).find(tenant).orElseThrow();
		assertThat(placed.cluster()).as("known to the other instance after %.2f s", seconds)
			.isEqualTo("dedicated-eu-2");
		UUID note = TenantContext.call(tenant, () -> notes(two).add("on the new cluster"));
		assertThat(TenantContext.call(tenant, () -> notes(one).ids())).containsExactly(note);

		dedicated.forEach((c) -> registry.update(c, null, null, ClusterState.ACTIVE, null));
		await().atMost(Duration.ofSeconds(5))
			.until(() -> dedicated.stream().allMatch(two.getBean(ClusterRegistry.class)::takesTenants));
	}

	@Test
	void aRegistrationThatCannotWorkIsRefusedWithItsReason() {
		ClusterRegistry registry = one.getBean(ClusterRegistry.class);
		PostgresServer pg = TestPostgres.get();
		String url = pg.jdbcUrl(SERVICE + "_dedicated2");
		assertThatThrownBy(() -> registry.register(registration("Bad Name", url, PASSWORD_REF), bootstrap(one)))
			.isInstanceOf(ClusterRequestException.class)
			.hasMessageContaining("name");
		assertThatThrownBy(() -> registry.register(registration("nope", url, "NO_SUCH_SECRET"), bootstrap(one)))
			.isInstanceOf(ClusterRequestException.class)
			.hasMessageContaining("NO_SUCH_SECRET");
		assertThatThrownBy(() -> registry
			.register(registration("nope", "jdbc:postgresql://127.0.0.1:9/nothing", PASSWORD_REF), bootstrap(one)))
			.isInstanceOf(ClusterRequestException.class)
			.hasMessageContaining("does not answer");
		assertThatThrownBy(() -> registry.register(registration("dedicated-eu", url, PASSWORD_REF), bootstrap(one)))
			.isInstanceOf(ClusterConflictException.class);
		assertThat(registry.find("nope")).isEmpty();
	}

	@Test
	void drainingAClusterWhileItsTenantsAreWrittenLosesNothing() throws Exception {
		ClusterRegistry registry = one.getBean(ClusterRegistry.class);
		PostgresServer pg = TestPostgres.get();
		// Three tenants on a dedicated cluster of their own (schemas: on one test server,
		// the tenant databases of two clusters would have the same names).
		registry.register(new ClusterRegistry.Registration("dedicated-eu-3", pg.jdbcUrl(SERVICE + "_dedicated3"),
				pg.adminUser(), PASSWORD_REF, ClusterRole.DEDICATED, "eu", 100, 0.85, null, null), bootstrap(one));
		List<String> others = registry.all()
			.stream()
			.filter((c) -> c.role() == ClusterRole.DEDICATED && !c.name().equals("dedicated-eu-3"))
			.map(ClusterRegistry.Registered::name)
			.toList();
		others.forEach((c) -> registry.update(c, null, null, ClusterState.UNHEALTHY, "test: fill the new one"));
		List<UUID> tenants = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			tenants.add(provision(one, Tier.DEDICATED));
		}
		others.forEach((c) -> registry.update(c, null, null, ClusterState.ACTIVE, null));
		for (UUID tenant : tenants) {
			assertThat(placement(tenant).cluster()).isEqualTo("dedicated-eu-3");
		}
		Writers writers = new Writers();
		for (UUID tenant : tenants) {
			writers.start(one, tenant);
			writers.start(two, tenant);
		}
		try {
			Thread.sleep(300); // the drain starts while both instances write
			registry.update("dedicated-eu-3", null, null, ClusterState.DRAINING, "test: drain");
			await().atMost(Duration.ofSeconds(120))
				.until(() -> registry.find("dedicated-eu-3").orElseThrow().state() == ClusterState.DRAINED);
			Thread.sleep(300); // both instances go on writing at the new placements
		}
		finally {
			writers.stop();
		}

		assertThat(writers.failures).isEmpty();
		for (UUID tenant : tenants) {
			TenantPlacement moved = placement(tenant);
			assertThat(moved.cluster()).isIn(others);
			assertThat(moved.tier()).isEqualTo(Tier.DEDICATED);
			List<UUID> rows = TenantContext.call(tenant, () -> notes(one).ids());
			assertThat(rows).hasSameSizeAs(new HashSet<>(rows));
			assertThat(new HashSet<>(rows)).isEqualTo(writers.acked(tenant));
			assertThat(writers.acked(tenant)).hasSizeGreaterThan(20);
		}
		// Nothing new goes to a drained cluster.
		assertThat(registry.takesTenants("dedicated-eu-3")).isFalse();
		assertThat(placement(provision(two, Tier.DEDICATED)).cluster()).isIn(others);
		// The counts placement decisions read, kept by a trigger, followed the moves.
		JdbcClient control = JdbcClient.create(one.getBean("controlDataSource", DataSource.class));
		Map<String, Integer> counted = new HashMap<>();
		control.sql("select cluster, count(*) from tenant_placement group by cluster")
			.query((java.sql.ResultSet rs) -> {
				counted.put(rs.getString(1), rs.getInt(2));
			});
		io.tierflow.tenancy.placement.PlacementRepository placements = one
			.getBean(io.tierflow.tenancy.placement.PlacementRepository.class);
		Map<String, Integer> read = one.getBean("controlTransactionTemplate", TransactionTemplate.class)
			.execute((s) -> placements.tenantsPerCluster());
		assertThat(read).isEqualTo(counted).doesNotContainKey("dedicated-eu-3");
	}

	@Test
	void aClusterAboveItsHighWaterMarkHandsTenantsToOneWithRoomOrSaysNoneHasRoom() throws Exception {
		ClusterRegistry registry = one.getBean(ClusterRegistry.class);
		PostgresServer pg = TestPostgres.get();
		// Room for 2 tenants under its mark (half of 4).
		registry.register(new ClusterRegistry.Registration("dedicated-eu-4", pg.jdbcUrl(SERVICE + "_dedicated4"),
				pg.adminUser(), PASSWORD_REF, ClusterRole.DEDICATED, "eu", 4, 0.5, null, null), bootstrap(one));
		List<String> others = activeDedicated(registry).stream().filter((c) -> !c.equals("dedicated-eu-4")).toList();
		others.forEach((c) -> registry.update(c, null, null, ClusterState.UNHEALTHY, "test: nowhere else"));
		List<UUID> tenants = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			tenants.add(provision(one, Tier.DEDICATED));
		}
		// Above its mark, and no other cluster takes tenants: it says a cluster is
		// needed.
		await().atMost(Duration.ofSeconds(10))
			.until(() -> one.getBean(ClusterBalancer.class).full("dedicated-eu-4")
					|| two.getBean(ClusterBalancer.class).full("dedicated-eu-4"));
		assertThat(tenantsOn("dedicated-eu-4")).isEqualTo(3);
		// The event that a cluster must be added, relayed to Kafka.
		try (org.apache.kafka.clients.consumer.KafkaConsumer<String, String> consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
				io.tierflow.testsupport.TestKafka.get()
					.clientConfig(Map.of("group.id", "drain-it-" + UUID.randomUUID(), "auto.offset.reset", "earliest",
							"key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class,
							"value.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class)))) {
			consumer.subscribe(List.of(io.tierflow.events.Topics.PLATFORM));
			List<String> events = new ArrayList<>();
			await().atMost(Duration.ofSeconds(30)).until(() -> {
				consumer.poll(Duration.ofMillis(200)).forEach((r) -> events.add(r.value()));
				return events.stream().anyMatch((e) -> e.contains("\"dedicated-eu-4\""));
			});
			assertThat(events).anySatisfy((e) -> assertThat(e.replace(" ", "")).contains("\"service\":\"drain\"")
				.contains("\"role\":\"DEDICATED\"")
				.contains("\"tenants\":3"));
		}

		others.forEach((c) -> registry.update(c, null, null, ClusterState.ACTIVE, null));

		// One tenant moves, and no more: the cluster is back at its mark.
		await().atMost(Duration.ofSeconds(60)).until(() -> tenantsOn("dedicated-eu-4") == 2);
		await().during(Duration.ofSeconds(2))
			.atMost(Duration.ofSeconds(5))
			.until(() -> tenantsOn("dedicated-eu-4") == 2);
		for (UUID tenant : tenants) {
			TenantContext.run(tenant, () -> notes(two).add("still here"));
		}
	}

	private static List<String> activeDedicated(ClusterRegistry registry) {
		return registry.all()
			.stream()
			.filter((c) -> c.role() == ClusterRole.DEDICATED && c.state() == ClusterState.ACTIVE)
			.map(ClusterRegistry.Registered::name)
			.toList();
	}

	private static int tenantsOn(String cluster) {
		return one.getBean(io.tierflow.tenancy.placement.PlacementRepository.class).onCluster(cluster, 100).size();
	}

	private static ClusterRegistry.Registration registration(String name, String url, String ref) {
		return new ClusterRegistry.Registration(name, url, TestPostgres.get().adminUser(), ref, ClusterRole.DEDICATED,
				"eu", 10, 0.85, null, null);
	}

	private static ClusterRegistry.AppRoles bootstrap(ConfigurableApplicationContext instance) {
		return instance.getBean(io.tierflow.tenancy.TenancyBootstrap.class);
	}

	private static TenantPlacement placement(UUID tenant) {
		return one.getBean(TenantProvisioner.class).find(tenant).orElseThrow();
	}

	private static UUID provision(ConfigurableApplicationContext instance, Tier tier) {
		UUID tenant = UUID.randomUUID();
		TenantPlacement placed = instance.getBean(TenantProvisioner.class).provision(tenant, tier, "eu");
		assertThat(placed.state()).as(String.valueOf(placed.error())).isEqualTo(PlacementState.READY);
		return tenant;
	}

	private static NoteRepository notes(ConfigurableApplicationContext instance) {
		return instance.getBean(NoteRepository.class);
	}

	private static ConfigurableApplicationContext start(Map<String, String> properties) {
		return new SpringApplicationBuilder(MoverTestApplication.class).web(WebApplicationType.NONE)
			.properties(Map.copyOf(properties))
			.run();
	}

}
