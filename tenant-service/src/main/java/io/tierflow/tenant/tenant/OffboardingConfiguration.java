package io.tierflow.tenant.tenant;

import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The grace-period check's schedule ({@link GracePeriodExpiry}), and the refusal of a
 * deleted tenant's tokens on every endpoint ({@link DeletedTenantTokens}).
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class OffboardingConfiguration implements WebMvcConfigurer {

	private final TenantRepository tenants;

	OffboardingConfiguration(TenantRepository tenants) {
		this.tenants = tenants;
	}

	@Override
	public void addInterceptors(InterceptorRegistry registry) {
		registry.addInterceptor(new DeletedTenantTokens(this.tenants));
	}

}
