package io.tierflow.file.web;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Bounds of every request to the service but uploads ({@code tierflow.files.requests}).
 *
 * @param maxBodySize largest request body; a larger one is a 413 problem, refused before
 * more than this much of it is read (default 64KB, a hundred times a folder's largest
 * valid JSON; between 1KB and 16MB). Uploads are bounded by the quota and
 * {@code tierflow.files.max-file-size} instead.
 */
@Validated
@ConfigurationProperties("tierflow.files.requests")
public record RequestLimits(@NotNull @DefaultValue("64KB") DataSize maxBodySize) {

	public RequestLimits {
		if (maxBodySize != null && (maxBodySize.toBytes() < 1024 || maxBodySize.toMegabytes() > 16)) {
			throw new IllegalArgumentException("tierflow.files.requests.max-body-size must be between 1KB and 16MB");
		}
	}

}
