package io.tierflow.billing.web;

import java.util.Set;

import io.tierflow.tenancy.web.RequestBodyLimit;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Bounds every request's body: {@link RequestBodyLimit}, set by {@link RequestLimits}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RequestLimits.class)
class RequestLimitsConfiguration {

	@Bean
	FilterRegistrationBean<RequestBodyLimit> requestBodyLimit(RequestLimits limits) {
		FilterRegistrationBean<RequestBodyLimit> registration = new FilterRegistrationBean<>(new RequestBodyLimit(
				limits.maxBodySize().toBytes(), "tierflow.billing.requests.max-body-size", Set.of()));
		// Ahead of authentication: an oversized body costs nothing, whoever sends it.
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
		return registration;
	}

}
