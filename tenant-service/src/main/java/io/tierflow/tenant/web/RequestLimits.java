package io.tierflow.tenant.web;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Bounds of every request to the service ({@code tierflow.tenants.requests}).
 *
 * @param maxBodySize largest request body; a larger one is a 413 problem, refused before
 * more than this much of it is read (default 64KB, far above any JSON request the service
 * takes; between 1KB and 64MB)
 */
@Validated
@ConfigurationProperties("tierflow.tenants.requests")
public record RequestLimits(@NotNull @DefaultValue("64KB") DataSize maxBodySize) {

	public RequestLimits {
		if (maxBodySize != null && (maxBodySize.toBytes() < 1024 || maxBodySize.toMegabytes() > 64)) {
			throw new IllegalArgumentException("tierflow.tenants.requests.max-body-size must be between 1KB and 64MB");
		}
	}

}
