package io.tierflow.simulation.web;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Bounds of every request to the service ({@code tierflow.simulation.requests}).
 *
 * @param maxBodySize largest request body; a larger one is a 413 problem, refused before
 * more than this much of it is read (default 1MB, the size of a model definition file
 * too; between 1KB and 64MB)
 */
@Validated
@ConfigurationProperties("tierflow.simulation.requests")
public record RequestLimits(@NotNull @DefaultValue("1MB") DataSize maxBodySize) {

	public RequestLimits {
		if (maxBodySize != null && (maxBodySize.toBytes() < 1024 || maxBodySize.toMegabytes() > 64)) {
			throw new IllegalArgumentException(
					"tierflow.simulation.requests.max-body-size must be between 1KB and 64MB");
		}
	}

}
