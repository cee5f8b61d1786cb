package io.tierflow.tenancy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tierflow.tenancy.TenancyTestApplication.NoteRepository;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.metrics.StorageMetrics;
import io.tierflow.tenancy.metrics.TenancyMetrics;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.routing.PlacementPools;
import io.tierflow.tenancy.routing.StatementTimers;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The tenancy KPIs: Hikari metrics of every dynamic pool, connections, placements and
 * capacity per cluster and tier — and never a tenant id, in a meter's name or its tags.
 */
@SpringBootTest(classes = TenancyTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
class TenancyMetricsIT {

	/** A pool's name: cluster, tier, a slot for a tenant database's pool, kind. */
	private static final String POOL_NAME = "tierflow-control|tierflow-[a-z-]+-(shared|dedicated|enterprise)(-db\\d+)?-(app|owner)";

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TenancyTestProperties.register(registry, "meters");
	}

	@Autowired
	MeterRegistry meters;

	@Autowired
	TenantProvisioner provisioner;

	@Autowired
	PlacementPools pools;

	@Autowired
	PlacementRepository placements;

	@Autowired
	@Qualifier(TenancyAutoConfiguration.CONTROL)
	TransactionTemplate controlTx;

	@Autowired
	PlatformTransactionManager transactionManager;

	@Autowired
	NoteRepository notes;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	@Qualifier(TenancyAutoConfiguration.CONTROL)
	JdbcClient jdbcControl;

	@Test
	void everyDynamicPoolReportsHikariMetricsNamedByClusterAndTierNeverByTenant() {
		List<UUID> tenants = List.of(provision(Tier.SHARED), provision(Tier.DEDICATED), provision(Tier.ENTERPRISE));
		tenants.forEach((tenant) -> TenantContext.run(tenant, () -> this.notes.add("note")));

		Set<String> names = poolNames();
		assertThat(names).contains("tierflow-control", "tierflow-shared-eu-shared-app",
				"tierflow-dedicated-eu-dedicated-app", "tierflow-enterprise-eu-enterprise-owner");
		assertThat(names).anyMatch((name) -> name.matches("tierflow-enterprise-eu-enterprise-db\\d+-app"));
		assertThat(names).allMatch((name) -> name.matches(POOL_NAME), "named " + POOL_NAME);
		for (String meter : List.of("hikaricp.connections.active", "hikaricp.connections.idle",
				"hikaricp.connections.pending", "hikaricp.connections.max", "hikaricp.connections.acquire",
				"hikaricp.connections.usage")) {
			assertThat(this.meters.find(meter).tag("pool", "tierflow-shared-eu-shared-app").meter()).as(meter)
				.isNotNull();
		}
		assertNoTenantIn(this.meters, tenants);
	}

	@Test
	void connectionsActiveCountBorrowedConnectionsPerClusterAndTier() {
		UUID tenant = provision(Tier.ENTERPRISE);
		Gauge active = this.meters.get(TenancyMetrics.CONNECTIONS_ACTIVE)
			.tag("cluster", "enterprise-eu")
			.tag("tier", "enterprise")
			.gauge();
		assertThat(active.getId().getTags()).extracting(Tag::getKey).containsExactlyInAnyOrder("cluster", "tier");
		double borrowed = TenantContext.call(tenant,
				() -> new TransactionTemplate(this.transactionManager).execute((s) -> {
					this.jdbc.sql("select count(*) from notes").query(Long.class).single();
					return active.value();
				}));
		assertThat(borrowed).isGreaterThanOrEqualTo(1);
		for (String cluster : List.of("shared-eu", "dedicated-eu", "enterprise-eu", "shared-us")) {
			assertThat(this.meters.find(TenancyMetrics.CONNECTIONS_ACTIVE).tag("cluster", cluster).gauge()).as(cluster)
				.isNotNull();
		}
		assertNoTenantIn(this.meters, List.of(tenant));
	}

	@Test
	void aClosedPoolGivesItsNameAndItsMetersBack() {
		UUID first = provision(Tier.ENTERPRISE);
		Set<String> before = poolNames();
		TenantContext.run(first, () -> this.notes.add("note"));
		Set<String> opened = new TreeSet<>(poolNames());
		opened.removeAll(before);
		assertThat(opened).singleElement().asString().matches("tierflow-enterprise-eu-enterprise-db\\d+-app");
		String name = opened.iterator().next();

		TenantPlacement placement = this.provisioner.find(first).orElseThrow();
		this.pools.evict(placement.cluster(), placement.database());
		await().atMost(Duration.ofSeconds(10)).until(() -> !poolNames().contains(name));

		// The next tenant database's pool takes the freed name: there are never more
		// names than pools open at once.
		UUID second = provision(Tier.ENTERPRISE);
		TenantContext.run(second, () -> this.notes.add("note"));
		assertThat(poolNames()).contains(name);
		assertNoTenantIn(this.meters, List.of(first, second));
	}

	@Test
	void placementsAreCountedPerClusterAgainstItsCapacity() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new TenancyMetrics(this.pools, () -> this.controlTx.execute((s) -> this.placements.tenantsPerCluster()),
				Duration.ZERO)
			.bindTo(registry);
		double before = placed(registry, "shared-eu");
		UUID a = provision(Tier.SHARED);
		UUID b = provision(Tier.SHARED);
		assertThat(placed(registry, "shared-eu")).isEqualTo(before + 2);
		assertThat(
				registry.get(TenancyMetrics.CAPACITY).tag("cluster", "shared-us").tag("tier", "shared").gauge().value())
			.isEqualTo(1);
		assertThat(registry.get(TenancyMetrics.CAPACITY).tag("cluster", "shared-eu").gauge().value()).isEqualTo(1000);
		for (String name : List.of(TenancyMetrics.PLACEMENTS, TenancyMetrics.CAPACITY)) {
			assertThat(registry.get(name).gauges()).hasSize(4)
				.allSatisfy((g) -> assertThat(g.getId().getTags()).extracting(Tag::getKey)
					.containsExactlyInAnyOrder("cluster", "tier"));
			// And the service's own registry has them.
			assertThat(this.meters.get(name).gauges()).hasSize(4);
		}
		assertNoTenantIn(registry, List.of(a, b));
	}

	@Test
	void everyStatementOnATenantStoreIsTimedPerClusterAndTierButNotTheRoutingsOwn() {
		UUID shared = provision(Tier.SHARED);
		UUID enterprise = provision(Tier.ENTERPRISE);
		// A cluster's timer is made on its first statement.
		TenantContext.run(shared, () -> this.notes.add("first"));
		Timer sharedTimer = this.meters.get(StatementTimers.METER)
			.tag("cluster", "shared-eu")
			.tag("tier", "shared")
			.tag("service", "meters")
			.timer();
		long before = sharedTimer.count();
		// A write (its settings and fence statement is the routing's), then a read whose
		// settings travel with its first query.
		TenantContext.run(shared, () -> this.notes.add("timed"));
		assertThat(TenantContext.call(shared, this.notes::everything)).containsExactly("first", "timed");
		assertThat(sharedTimer.count()).isEqualTo(before + 2);
		assertThat(sharedTimer.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();

		TenantContext.run(enterprise, () -> this.notes.add("timed"));
		Timer enterpriseTimer = this.meters.get(StatementTimers.METER).tag("cluster", "enterprise-eu").timer();
		assertThat(enterpriseTimer.getId().getTag("tier")).isEqualTo("enterprise");
		assertThat(enterpriseTimer.count()).isPositive();
		// A histogram, for p95 across instances.
		assertThat(enterpriseTimer.takeSnapshot().histogramCounts()).isNotEmpty();
		assertThat(this.meters.get(StatementTimers.METER).timers())
			.allSatisfy((t) -> assertThat(t.getId().getTags()).extracting(Tag::getKey)
				.containsExactlyInAnyOrder("service", "cluster", "tier"));
		assertNoTenantIn(this.meters, List.of(shared, enterprise));
	}

	@Test
	void storageIsMeasuredPerClusterAndTierOffTheScrape() {
		UUID enterprise = provision(Tier.ENTERPRISE);
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		try (StorageMetrics storage = new StorageMetrics(this.pools,
				() -> this.controlTx.execute((s) -> this.placements.stores()), Duration.ofHours(1))) {
			storage.bindTo(registry);
			Gauge gauge = registry.get(StorageMetrics.METER)
				.tag("cluster", "enterprise-eu")
				.tag("tier", "enterprise")
				.gauge();
			await().atMost(Duration.ofSeconds(10)).until(() -> gauge.value() > 0);
			double measured = gauge.value();
			// The tenant's database is counted in its cluster's storage.
			TenantPlacement placement = this.provisioner.find(enterprise).orElseThrow();
			long own = this.jdbcControl.sql("select pg_database_size(?)")
				.param(placement.database())
				.query(Long.class)
				.single();
			assertThat(measured).isGreaterThanOrEqualTo(own);
			assertThat(registry.get(StorageMetrics.METER).gauges()).hasSize(4);
			assertNoTenantIn(registry, List.of(enterprise));
		}
	}

	private static double placed(MeterRegistry registry, String cluster) {
		return registry.get(TenancyMetrics.PLACEMENTS).tag("cluster", cluster).gauge().value();
	}

	private Set<String> poolNames() {
		Set<String> names = new TreeSet<>();
		this.meters.find("hikaricp.connections").gauges().forEach((g) -> names.add(g.getId().getTag("pool")));
		return names;
	}

	/** No meter names a tenant: not in its name, not in a tag's key or value. */
	static void assertNoTenantIn(MeterRegistry registry, List<UUID> tenants) {
		assertThat(registry.getMeters()).isNotEmpty();
		for (Meter meter : registry.getMeters()) {
			StringBuilder id = new StringBuilder(meter.getId().getName());
			meter.getId().getTags().forEach((t) -> id.append(' ').append(t.getKey()).append('=').append(t.getValue()));
			assertThat(meter.getId().getTags()).extracting(Tag::getKey).noneMatch((key) -> key.contains("tenant"));
			for (UUID tenant : tenants) {
				assertThat(id.toString()).doesNotContain(tenant.toString())
					.doesNotContain(tenant.toString().replace("-", ""));
			}
		}
	}

	private UUID provision(Tier tier) {
		UUID tenant = UUID.randomUUID();
		assertThat(this.provisioner.provision(tenant, tier, "eu").state()).isEqualTo(PlacementState.READY);
		return tenant;
	}

}
