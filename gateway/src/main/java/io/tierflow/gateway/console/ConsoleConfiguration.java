package io.tierflow.gateway.console;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** The console's pages, served from the tierflow-console jar, and their headers. */
@Configuration(proxyBeanMethods = false)
class ConsoleConfiguration {

	@Bean
	FilterRegistrationBean<ConsoleHeaders> consoleHeaders() {
		FilterRegistrationBean<ConsoleHeaders> registration = new FilterRegistrationBean<>(new ConsoleHeaders());
		// First: the headers are on every answer for a console page, a refusal included.
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		return registration;
	}

}
