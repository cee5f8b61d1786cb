package io.tierflow.billing.invoice;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.tierflow.billing.pricing.BandCharge;
import io.tierflow.billing.pricing.Money;
import io.tierflow.billing.pricing.PriceBook;
import io.tierflow.billing.pricing.PriceTier;
import io.tierflow.billing.usage.TierPeriod;
import io.tierflow.billing.usage.UsageKind;
import io.tierflow.billing.usage.UsageLedger;
import io.tierflow.billing.usage.UsageRecord;

/**
 * Computes a month's invoice lines from the tenant's tier history and usage: the base fee
 * prorated by the day over the tiers, graduated iteration bands, storage integrated over
 * the month's time, users. Pure: no I/O.
 */
final class InvoiceCalculator {

	private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

	private static final BigDecimal GB = BigDecimal.valueOf(1_000_000_000);

	private static final int QUANTITY_SCALE = 6;

	private final PriceBook prices;

	InvoiceCalculator(PriceBook prices) {
		this.prices = prices;
	}

	/** Lines and total of a month. */
	record Computed(List<InvoiceLine> lines, BigDecimal total) {
	}

	/**
	 * @param tiers the tenant's tier history, in order
	 * @param fallback the tier to price by when there is no history at all (the
	 * placement's tier), or null
	 * @param billed usage billed in the month
	 * @param stored bytes stored at the month's start
	 * @param storage the storage deltas that occurred in the month, in order
	 */
	Computed compute(YearMonth month, List<TierPeriod> tiers, PriceTier fallback, List<UsageRecord> billed, long stored,
			List<UsageRecord> storage) {
		return compute(month, UsageLedger.startOf(month.plusMonths(1)), tiers, fallback, billed, stored, storage);
	}

	/**
	 * A month billed up to {@code until} only: the last month of a tenant that leaves.
	 * The base fee is charged for the days from the month's first up to and including the
	 * day of {@code until} (of the month's days), storage for the bytes held until then,
	 * and usage as recorded.
	 * @param until the end of billing, in the month or at its end
	 */
	Computed compute(YearMonth month, OffsetDateTime until, List<TierPeriod> tiers, PriceTier fallback,
			List<UsageRecord> billed, long stored, List<UsageRecord> storage) {
		List<InvoiceLine> lines = new ArrayList<>();
		int billedDays = billedDays(month, until);
		baseFee(month, billedDays, tiers, fallback, lines);
		PriceTier usageTier = tierAt(tiers, UsageLedger.startOf(month).plusDays(billedDays), fallback);
		if (usageTier == null) {
			usageTier = (tiers.isEmpty()) ? PriceTier.SHARED : tiers.get(0).tier();
		}
		PriceBook.TierPrices tierPrices = this.prices.of(usageTier);
		iterations(billed, tierPrices, lines);
		storage(month, until, billed, stored, storage, tierPrices, lines);
		users(billed, tierPrices, lines);
		BigDecimal total = lines.stream().map(InvoiceLine::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
		return new Computed(List.copyOf(lines), Money.round(total.max(BigDecimal.ZERO)));
	}

	/**
	 * How many of the month's days are billed when billing ends at {@code until}: all of
	 * them once the month is over, else those up to and including the day of
	 * {@code until}.
	 */
	static int billedDays(YearMonth month, OffsetDateTime until) {
		if (!until.isBefore(UsageLedger.startOf(month.plusMonths(1)))) {
			return month.lengthOfMonth();
		}
		if (until.isBefore(UsageLedger.startOf(month))) {
			return 0;
		}
		return until.atZoneSameInstant(ZoneOffset.UTC).getDayOfMonth();
	}

	/**
	 * Each of the first {@code billedDays} days is billed on the tier in effect at its
	 * end, as a share of the whole month; days before the first tier are not billed.
	 */
	private void baseFee(YearMonth month, int billedDays, List<TierPeriod> tiers, PriceTier fallback,
			List<InvoiceLine> lines) {
		int days = month.lengthOfMonth();
		Map<PriceTier, Integer> daysOn = new LinkedHashMap<>();
		Map<PriceTier, Set<String>> events = new LinkedHashMap<>();
		OffsetDateTime start = UsageLedger.startOf(month);
		for (int d = 1; d <= billedDays; d++) {
			OffsetDateTime dayEnd = start.plusDays(d);
			TierPeriod period = periodAt(tiers, dayEnd);
			PriceTier tier = (period != null) ? period.tier() : (tiers.isEmpty() ? fallback : null);
			if (tier != null) {
				daysOn.merge(tier, 1, Integer::sum);
				Set<String> ids = events.computeIfAbsent(tier, (t) -> new LinkedHashSet<>());
				if (period != null) {
					ids.add(period.eventId());
				}
			}
		}
		daysOn.forEach((tier, n) -> {
			BigDecimal fee = this.prices.of(tier).baseFee();
			lines.add(new InvoiceLine("BASE_FEE", "Base fee, " + name(tier) + " (" + n + " of " + days + " days)",
					BigDecimal.valueOf(n), "day",
					fee.divide(BigDecimal.valueOf(days), QUANTITY_SCALE, RoundingMode.HALF_EVEN),
					Money.prorate(fee, n, days), List.copyOf(events.get(tier)), null));
		});
	}

	private void iterations(List<UsageRecord> billed, PriceBook.TierPrices tierPrices, List<InvoiceLine> lines) {
		List<UsageRecord> runs = billed.stream().filter((r) -> r.kind() == UsageKind.ITERATIONS).toList();
		if (runs.isEmpty()) {
			return;
		}
		long total = runs.stream().mapToLong(UsageRecord::quantity).sum();
		BigDecimal millions = BigDecimal.valueOf(total).divide(MILLION);
		for (BandCharge charge : tierPrices.iterations().charge(millions)) {
			BigDecimal bandEnd = charge.from().add(charge.quantity());
			List<UsageRecord> inBand = new ArrayList<>();
			BigDecimal cumulative = BigDecimal.ZERO;
			for (UsageRecord run : runs) {
				BigDecimal before = cumulative;
				cumulative = cumulative.add(BigDecimal.valueOf(run.quantity()).divide(MILLION));
				if (cumulative.compareTo(charge.from()) > 0 && before.compareTo(bandEnd) < 0) {
					inBand.add(run);
				}
			}
			lines.add(new InvoiceLine("ITERATIONS", "Simulation iterations, " + band(charge),
					charge.quantity().stripTrailingZeros().max(BigDecimal.ZERO), tierPrices.iterations().unit(),
					charge.unitPrice(), charge.amount(), ids(inBand), lateNote(inBand)));
		}
	}

	private void storage(YearMonth month, OffsetDateTime until, List<UsageRecord> billed, long stored,
			List<UsageRecord> storage, PriceBook.TierPrices tierPrices, List<InvoiceLine> lines) {
		List<UsageRecord> deltas = billed.stream().filter((r) -> r.kind() == UsageKind.STORAGE_BYTES).toList();
		BigDecimal gbMonths = gbMonths(month, until, stored, storage);
		if (deltas.isEmpty() && gbMonths.signum() == 0) {
			return;
		}
		for (BandCharge charge : tierPrices.storage().charge(gbMonths)) {
			lines.add(new InvoiceLine("STORAGE", "Storage, " + band(charge),
					charge.quantity().setScale(QUANTITY_SCALE, RoundingMode.HALF_EVEN), tierPrices.storage().unit(),
					charge.unitPrice(), charge.amount(), ids(deltas), lateNote(deltas)));
		}
	}

	/**
	 * GB-months held in the month: the stored bytes integrated over the month's time (to
	 * the millisecond), divided by 10^9 bytes × the month's length. Bytes held before the
	 * month ({@code stored}) count from its start; a level below zero (a deletion of
	 * bytes never metered) counts as zero.
	 */
	static BigDecimal gbMonths(YearMonth month, long stored, List<UsageRecord> storage) {
		return gbMonths(month, UsageLedger.startOf(month.plusMonths(1)), stored, storage);
	}

	/**
	 * GB-months held in the month up to {@code until} only (the bytes are no longer held
	 * afterwards), still as a share of the whole month.
	 */
	static BigDecimal gbMonths(YearMonth month, OffsetDateTime until, long stored, List<UsageRecord> storage) {
		OffsetDateTime start = UsageLedger.startOf(month);
		OffsetDateTime end = UsageLedger.startOf(month.plusMonths(1));
		OffsetDateTime stop = until.isBefore(end) ? until : end;
		long level = stored;
		OffsetDateTime t = start;
		BigDecimal byteMillis = BigDecimal.ZERO;
		for (UsageRecord delta : storage) {
			if (delta.occurredAt().isBefore(start) || !delta.occurredAt().isBefore(stop)) {
				continue;
			}
			if (delta.occurredAt().isAfter(t)) {
				byteMillis = byteMillis.add(held(level, t, delta.occurredAt()));
				t = delta.occurredAt();
			}
			level += delta.quantity();
		}
		if (stop.isAfter(t)) {
			byteMillis = byteMillis.add(held(level, t, stop));
		}
		BigDecimal monthMillis = BigDecimal.valueOf(Duration.between(start, end).toMillis());
		return byteMillis.divide(GB.multiply(monthMillis), 12, RoundingMode.HALF_EVEN);
	}

	private static BigDecimal held(long level, OffsetDateTime from, OffsetDateTime to) {
		return BigDecimal.valueOf(Math.max(0, level))
			.multiply(BigDecimal.valueOf(Duration.between(from, to).toMillis()));
	}

	private void users(List<UsageRecord> billed, PriceBook.TierPrices tierPrices, List<InvoiceLine> lines) {
		List<UsageRecord> users = billed.stream().filter((r) -> r.kind() == UsageKind.USERS).toList();
		if (users.isEmpty()) {
			return;
		}
		long count = users.stream().mapToLong(UsageRecord::quantity).sum();
		lines.add(new InvoiceLine("USERS", "Users created", BigDecimal.valueOf(count), "user", tierPrices.perUser(),
				Money.round(tierPrices.perUser().multiply(BigDecimal.valueOf(count))), ids(users), lateNote(users)));
	}

	private static TierPeriod periodAt(List<TierPeriod> tiers, OffsetDateTime at) {
		TierPeriod found = null;
		for (TierPeriod period : tiers) {
			if (period.effectiveAt().isBefore(at)) {
				found = period;
			}
		}
		return found;
	}

	private static PriceTier tierAt(List<TierPeriod> tiers, OffsetDateTime at, PriceTier fallback) {
		TierPeriod period = periodAt(tiers, at);
		return (period != null) ? period.tier() : fallback;
	}

	private static String band(BandCharge charge) {
		String to = (charge.to() != null) ? charge.to().stripTrailingZeros().toPlainString() : "";
		String range = charge.from().stripTrailingZeros().toPlainString() + "-" + to;
		return (charge.unitPrice().signum() == 0) ? "band " + range + " (included)" : "band " + range;
	}

	private static String name(PriceTier tier) {
		return tier.name().toLowerCase().replace('_', ' ');
	}

	private static List<String> ids(List<UsageRecord> records) {
		return records.stream().map(UsageRecord::eventId).toList();
	}

	private static String lateNote(List<UsageRecord> records) {
		long late = records.stream().filter((r) -> r.note() != null).count();
		return (late == 0) ? null : "Includes " + late
				+ " late event(s) that occurred in an earlier month whose invoice was already final";
	}

}
