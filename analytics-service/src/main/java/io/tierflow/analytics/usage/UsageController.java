package io.tierflow.analytics.usage;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Usage analytics: the tenant's own days, and for system admins an overview across every
 * tenant.
 */
@RestController
@RequestMapping("/api/v1/analytics")
class UsageController {

	/** The longest range one request may ask for. */
	static final long MAX_DAYS = 366;

	private final DailyUsageRepository usage;

	private final UsageOverview overview;

	UsageController(DailyUsageRepository usage, UsageOverview overview) {
		this.usage = usage;
		this.overview = overview;
	}

	/** The tenant's usage per day in {@code [from, to]} (UTC days), and the sum. */
	@GetMapping("/daily")
	@PreAuthorize("hasAuthority('analytics:read')")
	@Transactional(readOnly = true)
	TenantUsage daily(@RequestParam @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
			@RequestParam @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to) {
		checkRange(from, to);
		List<DailyUsage> days = this.usage.between(from, to);
		return new TenantUsage(from, to, days, days.stream().reduce(DailyUsage.NONE, DailyUsage::plus));
	}

	/** Every tenant's usage summed over {@code [from, to]}: system admins only. */
	@GetMapping("/overview")
	@PreAuthorize("hasAuthority('analytics:admin')")
	UsageOverview.Overview overview(@RequestParam @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
			@RequestParam @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to) {
		checkRange(from, to);
		return this.overview.between(from, to);
	}

	private static void checkRange(LocalDate from, LocalDate to) {
		if (from.isAfter(to)) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"'from' (" + from + ") is after 'to' (" + to + ")");
		}
		if (ChronoUnit.DAYS.between(from, to) >= MAX_DAYS) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"At most " + MAX_DAYS + " days per request; asked for " + (ChronoUnit.DAYS.between(from, to) + 1));
		}
	}

	/** A tenant's days and their sum. */
	record TenantUsage(LocalDate from, LocalDate to, List<DailyUsage> days, DailyUsage total) {
	}

}
