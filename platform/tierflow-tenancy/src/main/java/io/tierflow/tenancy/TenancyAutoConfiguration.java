package io.tierflow.tenancy;

import java.time.Duration;
import java.util.List;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.tierflow.tenancy.autopilot.Autopilot;
import io.tierflow.tenancy.autopilot.AutopilotLoop;
import io.tierflow.tenancy.autopilot.AutopilotProperties;
import io.tierflow.tenancy.autopilot.TenantActivity;
import io.tierflow.tenancy.autopilot.TenantMoves;
import io.tierflow.tenancy.autopilot.TenantStatistics;
import io.tierflow.tenancy.context.TenantTaskDecorator;
import io.tierflow.tenancy.lease.JobLease;
import io.tierflow.tenancy.lease.JobLeases;
import io.tierflow.tenancy.metrics.StorageMetrics;
import io.tierflow.tenancy.metrics.TenancyMetrics;
import io.tierflow.tenancy.migration.MigrationRollouts;
import io.tierflow.tenancy.migration.PlacementMigrator;
import io.tierflow.tenancy.migration.TenantMigrations;
import io.tierflow.tenancy.placement.ClusterRegistry;
import io.tierflow.tenancy.placement.ClusterSelector;
import io.tierflow.tenancy.placement.PlacementListener;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.StoreProbe;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.routing.PinnedTransactionManagers;
import io.tierflow.tenancy.routing.PlacementChanges;
import io.tierflow.tenancy.routing.PlacementDirectory;
import io.tierflow.tenancy.routing.PlacementPools;
import io.tierflow.tenancy.routing.StatementTimers;
import io.tierflow.tenancy.routing.StoreWarmer;
import io.tierflow.tenancy.routing.TenantDataSource;
import io.tierflow.tenancy.routing.TenantTransactionManager;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.core.task.TaskDecorator;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Wires the tenancy core into a tenant-data service: the control database, the placement
 * directory, the routing DataSource and transaction manager that repository code uses,
 * and the start-up migration pass. Active when {@code tierflow.tenancy.service} is set.
 */
@AutoConfiguration(beforeName = { "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
		"org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
		"org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration",
		"org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration",
		"org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration",
		"org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration" })
@ConditionalOnProperty(prefix = "tierflow.tenancy", name = "service")
@EnableConfigurationProperties({ TenancyProperties.class, AutopilotProperties.class })
public class TenancyAutoConfiguration {

	/** Qualifier of the control database's beans. */
	public static final String CONTROL = "control";

	/**
	 * {@code @Transactional} methods find their transaction manager on Spring's cached
	 * path, not by scanning their class on every call.
	 */
	@Bean
	static PinnedTransactionManagers pinnedTransactionManagers() {
		return new PinnedTransactionManagers();
	}

	@Bean(destroyMethod = "close")
	@Qualifier(CONTROL)
	HikariDataSource controlDataSource(TenancyProperties properties) {
		HikariConfig config = new HikariConfig();
		config.setPoolName("tierflow-control");
		config.setJdbcUrl(properties.control().jdbcUrl());
		config.setUsername(properties.control().username());
		config.setPassword(properties.control().password());
		config.setSchema(TenancyBootstrap.CONTROL_SCHEMA);
		// A migration's workers each use one at a time, beside routing's placement reads.
		config.setMaximumPoolSize(Math.max(6, properties.migration().parallelism() + 4));
		config.setMinimumIdle(1);
		return new HikariDataSource(config);
	}

	@Bean
	@Qualifier(CONTROL)
	JdbcTransactionManager controlTransactionManager(@Qualifier(CONTROL) DataSource control) {
		return new JdbcTransactionManager(control);
	}

	@Bean
	@Qualifier(CONTROL)
	TransactionTemplate controlTransactionTemplate(@Qualifier(CONTROL) JdbcTransactionManager control) {
		return new TransactionTemplate(control);
	}

	@Bean
	@Qualifier(CONTROL)
	JdbcClient controlJdbcClient(@Qualifier(CONTROL) DataSource control) {
		return JdbcClient.create(control);
	}

	/**
	 * Every dynamic pool reports HikariCP's metrics to the registry, looked up when the
	 * pool opens rather than when this bean is made.
	 */
	@Bean(destroyMethod = "close")
	PlacementPools placementPools(TenancyProperties properties, ObjectProvider<MeterRegistry> meters) {
		MetricsTrackerFactory metrics = (pool, stats) -> {
			MeterRegistry registry = meters.getIfAvailable();
			return (registry != null) ? new MicrometerMetricsTrackerFactory(registry).create(pool, stats)
					: new IMetricsTracker() {
					};
		};
		return new PlacementPools(properties, metrics);
	}

	/**
	 * Connections, placements and capacity per cluster; placements counted every 10 s at
	 * most.
	 */
	@Bean
	TenancyMetrics tenancyMetrics(PlacementPools pools, PlacementRepository placements,
			@Qualifier(CONTROL) TransactionTemplate controlTx, ClusterRegistry clusters) {
		return new TenancyMetrics(pools, () -> controlTx.execute((s) -> placements.tenantsPerCluster()),
				Duration.ofSeconds(10), clusters);
	}

	/**
	 * Bytes of the service's stores per cluster and tier, measured every minute off the
	 * scrape.
	 */
	@Bean(destroyMethod = "close")
	StorageMetrics storageMetrics(PlacementPools pools, PlacementRepository placements,
			@Qualifier(CONTROL) TransactionTemplate controlTx) {
		return new StorageMetrics(pools, () -> controlTx.execute((s) -> placements.stores()), Duration.ofMinutes(1));
	}

	@Bean
	TenantMigrations tenantMigrations(TenancyProperties properties) {
		return TenantMigrations.load(properties.migration().locations(), getClass().getClassLoader())
			.servingFrom(properties.migration().minServedVersion());
	}

	@Bean
	PlacementRepository placementRepository(@Qualifier(CONTROL) JdbcClient control) {
		return new PlacementRepository(control);
	}

	@Bean
	TenancyBootstrap tenancyBootstrap(TenancyProperties properties, @Qualifier(CONTROL) DataSource control,
			PlacementPools pools, PlacementRepository placements, @Qualifier(CONTROL) TransactionTemplate controlTx) {
		return new TenancyBootstrap(properties, control, pools, placements, controlTx);
	}

	@Bean
	PlacementDirectory placementDirectory(TenancyBootstrap bootstrap, PlacementRepository placements,
			@Qualifier(CONTROL) TransactionTemplate controlTx, PlacementPools pools, TenantMigrations migrations,
			TenancyProperties properties) {
		return new PlacementDirectory(placements, controlTx, migrations, properties.placementCacheTtl());
	}

	/**
	 * The clusters, seeded from configuration and read from the control database before
	 * anything routes.
	 */
	@Bean
	ClusterRegistry clusterRegistry(TenancyBootstrap bootstrap, @Qualifier(CONTROL) JdbcClient control,
			PlacementPools pools, TenancyProperties properties, Environment environment) {
		ClusterRegistry registry = new ClusterRegistry(control, pools, properties, environment::getProperty);
		registry.seed();
		registry.refresh();
		return registry;
	}

	/**
	 * Every instance forgets a route as soon as its placement changes anywhere, and
	 * reloads the clusters as soon as one is registered or changed.
	 */
	@Bean
	PlacementChanges placementChanges(TenancyProperties properties, PlacementDirectory directory,
			ClusterRegistry clusters, StoreWarmer warmer) {
		return new PlacementChanges(properties.control(), directory, properties.placementCacheTtl(), clusters::refresh,
				warmer::heard);
	}

	@Bean
	StoreWarmer storeWarmer(PlacementPools pools) {
		return new StoreWarmer(pools);
	}

	@Bean
	StoreProbe storeProbe(PlacementRepository placements, @Qualifier(CONTROL) TransactionTemplate controlTx,
			PlacementPools pools) {
		return new StoreProbe(placements, controlTx, pools);
	}

	@Bean
	PlacementMigrator placementMigrator(PlacementPools pools, PlacementRepository placements,
			@Qualifier(CONTROL) TransactionTemplate controlTx, TenantMigrations migrations,
			TenancyProperties properties) {
		return new PlacementMigrator(pools, placements, controlTx, migrations, properties);
	}

	@Bean
	ClusterSelector clusterSelector(PlacementPools pools, ClusterRegistry clusters) {
		return new ClusterSelector(pools, clusters::takesTenants);
	}

	@Bean
	TenantProvisioner tenantProvisioner(TenancyProperties properties, PlacementRepository placements,
			@Qualifier(CONTROL) TransactionTemplate controlTx, ClusterSelector selector, PlacementPools pools,
			PlacementMigrator migrator, PlacementDirectory directory, ObjectProvider<PlacementListener> listeners) {
		List<PlacementListener> ordered = listeners.orderedStream().toList();
		return new TenantProvisioner(properties, placements, controlTx, selector, pools, migrator, directory, ordered);
	}

	/**
	 * Statement durations per cluster and tier ({@value StatementTimers#METER});
	 * {@code tierflow.tenancy.statement-timing=false} lends the connections unwrapped.
	 */
	@Bean
	StatementTimers statementTimers(PlacementPools pools, TenancyProperties properties,
			ObjectProvider<MeterRegistry> meters, TenantActivity activity,
			@org.springframework.beans.factory.annotation.Value("${tierflow.tenancy.statement-timing:true}") boolean timing) {
		return new StatementTimers(pools, properties.service(), timing ? meters::getIfAvailable : () -> null, activity);
	}

	/** Each tenant's statements on this instance, for the placement autopilot. */
	@Bean
	TenantActivity tenantActivity(AutopilotProperties autopilot) {
		return new TenantActivity(autopilot.maxTenants());
	}

	@Bean
	TenantStatistics tenantStatistics(@Qualifier(CONTROL) DataSource control,
			@Qualifier(CONTROL) TransactionTemplate controlTx, PlacementRepository placements, PlacementPools pools,
			TenantActivity activity) {
		return new TenantStatistics(control, controlTx, placements, pools, activity);
	}

	/**
	 * The placement autopilot; its moves go through the tier-move machinery when the
	 * service has it ({@code tierflow-mover}'s {@link TenantMoves}).
	 */
	@Bean(destroyMethod = "close")
	Autopilot autopilot(@Qualifier(CONTROL) JdbcClient control, TenantStatistics statistics,
			AutopilotProperties properties, ObjectProvider<TenantMoves> moves) {
		return new Autopilot(control, statistics, properties.policyOrNone(), (tenant, to) -> {
			TenantMoves mover = moves.getIfAvailable();
			if (mover == null) {
				throw new IllegalStateException("This service has no tier-move machinery (tierflow-mover)");
			}
			return mover.move(tenant, to);
		}, java.time.Clock.systemUTC());
	}

	@Bean
	AutopilotLoop autopilotLoop(TenancyProperties tenancy, AutopilotProperties properties, TenantStatistics statistics,
			Autopilot autopilot, ObjectProvider<JobLeases> leases) {
		return new AutopilotLoop(statistics, autopilot, properties,
				new JobLease(tenancy.service() + ".autopilot", properties.flush(), Duration.ofMinutes(10)),
				leases::getIfAvailable);
	}

	@Bean
	@Primary
	TenantDataSource dataSource(PlacementPools pools, StatementTimers timers) {
		return new TenantDataSource(pools, timers);
	}

	@Bean
	@Primary
	PlatformTransactionManager transactionManager(TenantDataSource dataSource, PlacementDirectory directory) {
		return new TenantTransactionManager(dataSource, directory);
	}

	@Bean
	@Primary
	JdbcClient jdbcClient(TenantDataSource dataSource) {
		return JdbcClient.create(dataSource);
	}

	@Bean
	@ConditionalOnMissingBean(TaskDecorator.class)
	TaskDecorator tenantTaskDecorator() {
		return new TenantTaskDecorator();
	}

	@Bean(name = "dbHealthContributor")
	@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
	TenancyHealthIndicator dbHealthContributor(@Qualifier(CONTROL) DataSource control, PlacementPools pools,
			PlacementChanges changes) {
		return new TenancyHealthIndicator(control, pools, changes);
	}

	@Bean(initMethod = "start", destroyMethod = "close")
	MigrationRollouts migrationRollouts(@Qualifier(CONTROL) DataSource control,
			@Qualifier(CONTROL) TransactionTemplate controlTx, PlacementRepository placements,
			PlacementMigrator migrator, TenancyProperties properties) {
		return new MigrationRollouts(control, controlTx, placements, migrator, properties);
	}

	@Bean
	StartupMigrationPass startupMigrationPass(PlacementMigrator migrator, MigrationRollouts rollouts,
			TenancyProperties properties) {
		return new StartupMigrationPass(migrator, rollouts, properties.migration().onStart());
	}

	/**
	 * Once the service is up, off the main thread: starts a rollout over the stores
	 * behind the latest version, or migrates them all at once
	 * ({@code tierflow.tenancy.migration.on-start}).
	 */
	static class StartupMigrationPass {

		private final PlacementMigrator migrator;

		private final MigrationRollouts rollouts;

		private final TenancyProperties.OnStart onStart;

		StartupMigrationPass(PlacementMigrator migrator, MigrationRollouts rollouts,
				TenancyProperties.OnStart onStart) {
			this.migrator = migrator;
			this.rollouts = rollouts;
			this.onStart = onStart;
		}

		@EventListener(ApplicationReadyEvent.class)
		void migrate() {
			Runnable pass = switch (this.onStart) {
				case ROLLOUT -> this.rollouts::startIfBehind;
				case ALL -> this.migrator::migrateAll;
				case NONE -> null;
			};
			if (pass != null) {
				Thread thread = new Thread(pass, "tierflow-startup-migrations");
				thread.setDaemon(true);
				thread.start();
			}
		}

	}

}
