package io.tierflow.tenant.audit;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * {@link RefusalRecorder} also sees every request complete: a problem not written as a
 * body is recorded then, and a success without a record is logged.
 */
@Configuration(proxyBeanMethods = false)
class AuditConfiguration implements WebMvcConfigurer {

	private final RefusalRecorder recorder;

	AuditConfiguration(RefusalRecorder recorder) {
		this.recorder = recorder;
	}

	@Override
	public void addInterceptors(InterceptorRegistry registry) {
		registry.addInterceptor(this.recorder).addPathPatterns("/api/**");
	}

}
