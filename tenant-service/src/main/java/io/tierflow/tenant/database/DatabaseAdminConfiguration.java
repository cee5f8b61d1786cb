package io.tierflow.tenant.database;

import io.tierflow.tenancy.web.TenantRequests;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The per-tenant request count of tenant-service, for the usage API; after Spring
 * Security's filter chain, inside which the tenant is bound.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ServiceUrls.class)
class DatabaseAdminConfiguration {

	@Bean
	TenantRequests tenantRequests() {
		return new TenantRequests();
	}

	@Bean
	FilterRegistrationBean<TenantRequests> tenantRequestsFilter(TenantRequests requests) {
		FilterRegistrationBean<TenantRequests> registration = new FilterRegistrationBean<>(requests);
		registration.setOrder(0);
		return registration;
	}

}
