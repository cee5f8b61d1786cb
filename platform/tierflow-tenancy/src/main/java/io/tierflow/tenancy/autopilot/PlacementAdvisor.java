package io.tierflow.tenancy.autopilot;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.tierflow.tenancy.placement.Tier;

/**
 * Decides where a tenant belongs under a {@link PlacementPolicy}, from its figures alone:
 * the strongest tier whose rule fires; never below its plan; a tier it is in already is
 * left only once its figures fall below the thresholds by the policy's hysteresis; an
 * override pins or freezes it; a tenant moved lately waits out the cool-down. Nothing
 * here reads a database: the {@link Autopilot} hands it the figures.
 */
public final class PlacementAdvisor {

	private PlacementAdvisor() {
	}

	/**
	 * @param figures the tenant's figures, or null if none were measured yet
	 * @param plan its plan's tier
	 * @param current its placement's tier
	 * @param override an operator's override, or null
	 * @param lastMove when the autopilot last moved it, or null
	 */
	public static Advice advise(PlacementPolicy policy, Figures figures, Tier plan, Tier current, Override override,
			Instant lastMove, Instant now) {
		if (override != null && override.freeze()) {
			return new Advice(current, current, false, List.of("frozen by an override: " + override.reason()), null);
		}
		List<String> why = new ArrayList<>();
		Tier target;
		if (override != null && override.pin() != null) {
			target = max(plan, override.pin());
			why.add("pinned to " + override.pin() + " by an override"
					+ ((target != override.pin()) ? ", raised to the plan's " + plan : ""));
		}
		else {
			Tier called = plan;
			Tier held = plan;
			for (PlacementPolicy.Rule rule : policy.rules()) {
				List<String> crossed = crossed(rule, figures, 1.0);
				if (!crossed.isEmpty() && rule.tier().compareTo(called) > 0) {
					called = rule.tier();
					why.clear();
					why.addAll(crossed);
				}
				if (!crossed(rule, figures, 1.0 - policy.hysteresis()).isEmpty() && rule.tier().compareTo(held) > 0) {
					held = rule.tier();
				}
			}
			if (called.compareTo(current) > 0) {
				target = called;
			}
			else if (held.compareTo(current) >= 0 || current.compareTo(plan) <= 0) {
				// Within the hysteresis band, or at the plan already: it stays.
				target = current;
			}
			else {
				target = max(plan, held);
				why.add("its figures fell below the " + current + " thresholds by more than "
						+ Math.round(policy.hysteresis() * 100) + " %");
			}
			if (target.compareTo(plan) < 0) {
				target = plan;
			}
		}
		if (target == current) {
			return new Advice(current, current, false, why.isEmpty() ? List.of("where it belongs") : why, null);
		}
		Instant until = (lastMove != null) ? lastMove.plus(policy.coolDown()) : null;
		if (until != null && now.isBefore(until)) {
			List<String> cooling = new ArrayList<>(why);
			cooling.add("cooling down after its last move until " + until);
			return new Advice(current, target, false, cooling, until);
		}
		return new Advice(current, target, true, why, null);
	}

	/**
	 * The thresholds of {@code rule} the figures reach, each scaled by {@code factor}.
	 */
	static List<String> crossed(PlacementPolicy.Rule rule, Figures f, double factor) {
		List<String> crossed = new ArrayList<>();
		if (f == null) {
			return crossed;
		}
		if (rule.rows() != null && f.rows() != null && f.rows() >= rule.rows() * factor) {
			crossed.add("rows " + f.rows() + " >= " + Math.round(rule.rows() * factor));
		}
		if (rule.bytes() != null && f.bytes() != null && f.bytes() >= rule.bytes() * factor) {
			crossed.add("bytes " + f.bytes() + " >= " + Math.round(rule.bytes() * factor));
		}
		if (rule.p95() != null && f.p95Millis() != null && f.p95Millis() >= rule.p95().toNanos() / 1e6 * factor) {
			crossed.add(String.format(java.util.Locale.ROOT, "p95 %.1f ms >= %.1f ms", f.p95Millis(),
					rule.p95().toNanos() / 1e6 * factor));
		}
		if (rule.writesPerSecond() != null && f.writesPerSecond() != null
				&& f.writesPerSecond() >= rule.writesPerSecond() * factor) {
			crossed.add(String.format(java.util.Locale.ROOT, "writes %.1f/s >= %.1f/s", f.writesPerSecond(),
					rule.writesPerSecond() * factor));
		}
		return crossed;
	}

	private static Tier max(Tier a, Tier b) {
		return (a.compareTo(b) >= 0) ? a : b;
	}

	/**
	 * A tenant's figures: each null when not measured.
	 *
	 * @param p95Millis the p95 of its statements' times over the last window
	 */
	public record Figures(Long rows, Long bytes, Double p95Millis, Double writesPerSecond) {
	}

	/**
	 * An operator's word on a tenant's placement.
	 *
	 * @param pin the tier it is kept at (never below its plan), or null
	 * @param freeze whether the autopilot may not move it at all
	 */
	public record Override(Tier pin, boolean freeze, String reason) {
	}

	/**
	 * Where the tenant belongs.
	 *
	 * @param actionable whether a move there may start now (not where it is, not cooling
	 * down)
	 * @param reasons why: the thresholds crossed, the override, the cool-down
	 * @param coolingUntil when its cool-down ends, if it is cooling down
	 */
	public record Advice(Tier current, Tier target, boolean actionable, List<String> reasons, Instant coolingUntil) {

		public boolean moves() {
			return this.target != this.current;
		}

	}

}
