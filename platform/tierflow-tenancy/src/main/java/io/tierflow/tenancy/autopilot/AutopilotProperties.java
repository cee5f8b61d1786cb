package io.tierflow.tenancy.autopilot;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The placement autopilot of a tenant-data service ({@code tierflow.tenancy.autopilot}).
 *
 * @param window the span over which a tenant's write rate and p95 are taken
 * @param flush how often each instance adds its tenants' activity to the control
 * database, and how often the loop turns
 * @param measureLimit tenants whose rows and bytes are measured a turn at most
 * @param maxTenants tenants whose activity an instance tracks in one flush at most
 * @param policy the placement policy, until one is set over the admin API
 */
@Validated
@ConfigurationProperties("tierflow.tenancy.autopilot")
public record AutopilotProperties(@DefaultValue("1m") Duration window, @DefaultValue("10s") Duration flush,
		@Min(1) @Max(100_000) @DefaultValue("200") int measureLimit, @Min(1) @DefaultValue("100000") int maxTenants,
		@Valid PlacementPolicy policy) {

	/** The configured policy, or none (nothing recommended). */
	public PlacementPolicy policyOrNone() {
		return (this.policy != null) ? this.policy : PlacementPolicy.NONE;
	}

}
