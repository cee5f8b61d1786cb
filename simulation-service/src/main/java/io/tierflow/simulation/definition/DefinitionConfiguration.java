package io.tierflow.simulation.definition;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/** Binds {@link DefinitionLimits}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DefinitionLimits.class)
class DefinitionConfiguration {

}
