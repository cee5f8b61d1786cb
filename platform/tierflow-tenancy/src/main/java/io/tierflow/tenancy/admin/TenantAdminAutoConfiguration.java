package io.tierflow.tenancy.admin;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierflow.tenancy.TenancyAutoConfiguration;
import io.tierflow.tenancy.TenancyBootstrap;
import io.tierflow.tenancy.TenancyProperties;
import io.tierflow.tenancy.autopilot.Autopilot;
import io.tierflow.tenancy.autopilot.TenantStatistics;
import io.tierflow.tenancy.metrics.StorageMetrics;
import io.tierflow.tenancy.migration.MigrationRollouts;
import io.tierflow.tenancy.migration.PlacementMigrator;
import io.tierflow.tenancy.placement.ClusterRegistry;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.routing.PlacementPools;
import io.tierflow.tenancy.web.TenantRequests;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The admin and database APIs of a tenant-data service ({@link TenantAdminController}),
 * and the per-tenant request count they report.
 */
@AutoConfiguration(after = TenancyAutoConfiguration.class)
@ConditionalOnProperty(prefix = "tierflow.tenancy", name = "service")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class TenantAdminAutoConfiguration {

	/**
	 * Counts requests per tenant; ordered after Spring Security's filter chain, inside
	 * which the tenant is bound.
	 */
	@Bean
	FilterRegistrationBean<TenantRequests> tierflowTenantRequests() {
		FilterRegistrationBean<TenantRequests> registration = new FilterRegistrationBean<>(new TenantRequests());
		registration.setOrder(0);
		return registration;
	}

	@Bean
	StoreUsage storeUsage(TenancyProperties properties, PlacementPools pools, PlacementRepository placements,
			@Qualifier(TenancyAutoConfiguration.CONTROL) TransactionTemplate controlTx,
			FilterRegistrationBean<TenantRequests> requests) {
		return new StoreUsage(properties.service(), pools, placements, controlTx, requests.getFilter());
	}

	@Bean(destroyMethod = "close")
	ClusterHealth clusterHealth(TenancyProperties properties, PlacementPools pools, PlacementRepository placements,
			@Qualifier(TenancyAutoConfiguration.CONTROL) TransactionTemplate controlTx, StorageMetrics storage,
			ObjectProvider<MeterRegistry> meters) {
		return new ClusterHealth(properties.service(), pools,
				() -> controlTx.execute((s) -> placements.tenantsPerCluster()), storage, meters.getIfAvailable());
	}

	@Bean
	ClusterAdminController clusterAdminController(ClusterRegistry clusters, PlacementRepository placements,
			@Qualifier(TenancyAutoConfiguration.CONTROL) TransactionTemplate controlTx, TenancyBootstrap bootstrap) {
		return new ClusterAdminController(clusters, placements, controlTx, bootstrap);
	}

	@Bean
	PlacementAdminController placementAdminController(Autopilot autopilot, TenantStatistics statistics) {
		return new PlacementAdminController(autopilot, statistics);
	}

	@Bean
	MigrationRolloutController migrationRolloutController(MigrationRollouts rollouts) {
		return new MigrationRolloutController(rollouts);
	}

	@Bean
	TenantAdminController tenantAdminController(StoreUsage usage, ClusterHealth health, PlacementMigrator migrator,
			TenancyProperties properties) {
		return new TenantAdminController(usage, health, migrator, properties.service());
	}

}
