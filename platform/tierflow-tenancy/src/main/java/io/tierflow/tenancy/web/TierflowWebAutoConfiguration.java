package io.tierflow.tenancy.web;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;

/**
 * Registers Tierflow's problem+json answers in every servlet service, and refuses a
 * request body of no single media type ({@link ConcreteContentType}) before anything
 * reads it.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@Import(TierflowProblemHandler.class)
public class TierflowWebAutoConfiguration {

	@Bean
	FilterRegistrationBean<ConcreteContentType> tierflowConcreteContentType() {
		FilterRegistrationBean<ConcreteContentType> registration = new FilterRegistrationBean<>(
				new ConcreteContentType());
		// Ahead of authentication and of the body limits, like them.
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 11);
		return registration;
	}

}
