package io.tierflow.tenant.tenant;

import java.util.List;

import jakarta.validation.constraints.NotEmpty;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The tenant-data services a tenant must be placed in before it is ACTIVE.
 *
 * @param services short names, as the services sign their replies
 */
@Validated
@ConfigurationProperties("tierflow.saga")
public record SagaProperties(@NotEmpty @DefaultValue( {
		"simulation", "file", "billing", "analytics" }) List<String> services){
}
