package io.tierflow.tenancy.autopilot;

import java.time.Duration;
import java.time.LocalTime;
import java.util.List;

import io.tierflow.tenancy.placement.Tier;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * When the autopilot places a tenant with more isolation than its plan asks: each rule
 * names a tier and the thresholds that call for it (any one crossed does). Configured
 * under {@code tierflow.tenancy.autopilot.policy}; {@code PUT
 * /api/v1/admin/placement/policy} replaces it at run time for every instance.
 *
 * @param rules the tiers and their thresholds; the strongest tier whose rule fires is the
 * target
 * @param hysteresis a tenant leaves a tier its figures called for only once they fall
 * below the thresholds by this share (0.2: below 80 %)
 * @param coolDown after a move, the tenant is not moved again for this long
 * @param autoApply whether recommendations are carried out without an operator's approval
 * @param maxConcurrentMoves autopilot moves running at once in the service
 * @param maxConcurrentMovesPerCluster autopilot moves off one cluster at once
 * @param windowStart with {@code windowEnd}, the time of day (UTC) moves may start in;
 * unset, any time
 * @param windowEnd the end of that window (may be past midnight: 22:00 to 06:00)
 */
public record PlacementPolicy(@Valid @Size(max = 10) List<@Valid Rule> rules,
		@DecimalMin("0") @DecimalMax("0.9") @DefaultValue("0.2") Double hysteresis,
		@DefaultValue("1h") Duration coolDown, @DefaultValue("false") Boolean autoApply,
		@Min(1) @Max(64) @DefaultValue("2") Integer maxConcurrentMoves,
		@Min(1) @Max(64) @DefaultValue("1") Integer maxConcurrentMovesPerCluster, LocalTime windowStart,
		LocalTime windowEnd) {

	/** No rules: nothing is ever recommended. */
	public static final PlacementPolicy NONE = new PlacementPolicy(List.of(), null, null, null, null, null, null, null);

	/** Each value left out (over the API) takes its default. */
	public PlacementPolicy {
		rules = (rules != null) ? List.copyOf(rules) : List.of();
		hysteresis = (hysteresis != null) ? hysteresis : 0.2;
		coolDown = (coolDown != null) ? coolDown : Duration.ofHours(1);
		autoApply = (autoApply != null) ? autoApply : false;
		maxConcurrentMoves = (maxConcurrentMoves != null) ? maxConcurrentMoves : 2;
		maxConcurrentMovesPerCluster = (maxConcurrentMovesPerCluster != null) ? maxConcurrentMovesPerCluster : 1;
		if ((windowStart == null) != (windowEnd == null)) {
			throw new IllegalArgumentException("A move window needs both windowStart and windowEnd");
		}
	}

	/** Whether moves may start at {@code time} (UTC). */
	public boolean inWindow(LocalTime time) {
		if (this.windowStart == null) {
			return true;
		}
		return this.windowStart.isBefore(this.windowEnd)
				? !time.isBefore(this.windowStart) && time.isBefore(this.windowEnd)
				: !time.isBefore(this.windowStart) || time.isBefore(this.windowEnd);
	}

	/**
	 * The thresholds that call for a tier; a threshold left out is not looked at.
	 *
	 * @param rows rows of the tenant in the service's tables
	 * @param bytes bytes of its data
	 * @param p95 the p95 of its statements' times over the last window
	 * @param writesPerSecond its writes per second over the last window
	 */
	public record Rule(@NotNull Tier tier, @Positive Long rows, @Positive Long bytes, Duration p95,
			@Positive Double writesPerSecond) {
	}

}
