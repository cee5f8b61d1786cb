package io.tierflow.billing.invoice;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tierflow.billing.pricing.Band;
import io.tierflow.billing.pricing.GraduatedRate;
import io.tierflow.billing.pricing.PriceBook;
import io.tierflow.billing.pricing.PriceTier;
import io.tierflow.billing.usage.TierPeriod;
import io.tierflow.billing.usage.UsageKind;
import io.tierflow.billing.usage.UsageRecord;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InvoiceCalculatorTest {

	private static final YearMonth SEPTEMBER = YearMonth.of(2026, 9);

	private final InvoiceCalculator calculator = new InvoiceCalculator(prices());

	@Test
	void integratesStoredBytesOverTheMonthsTime() {
		List<UsageRecord> storage = List.of(storage("b", 3_000_000_000L, "2026-09-01T00:00:00Z"),
				storage("c", -3_000_000_000L, "2026-09-16T00:00:00Z"),
				storage("d", 6_000_000_000L, "2026-09-21T00:00:00Z"));
		// 1 GB all month + 3 GB for 15 of 30 days + 6 GB for 10 of 30 days
		long heldSinceAugust = 1_000_000_000L;
		assertThat(InvoiceCalculator.gbMonths(SEPTEMBER, heldSinceAugust, storage)).isEqualByComparingTo("4.5");
		InvoiceCalculator.Computed computed = this.calculator.compute(SEPTEMBER,
				List.of(new TierPeriod(PriceTier.SHARED, at("2026-01-01T00:00:00Z"), "created")), null, storage,
				heldSinceAugust, storage);
		InvoiceLine charged = computed.lines().get(2);
		assertThat(charged.kind()).isEqualTo("STORAGE");
		assertThat(charged.quantity()).isEqualByComparingTo("3.5");
		assertThat(charged.amount()).isEqualTo(new BigDecimal("0.35"));
		assertThat(charged.eventIds()).containsExactly("b", "c", "d");
		assertThat(computed.total()).isEqualTo(new BigDecimal("10.35"));
	}

	@Test
	void neverCountsALevelBelowZero() {
		List<UsageRecord> storage = List.of(storage("gone", -5_000_000_000L, "2026-09-01T00:00:00Z"),
				storage("new", 5_000_000_000L, "2026-09-16T00:00:00Z"));
		assertThat(InvoiceCalculator.gbMonths(SEPTEMBER, 0, storage)).isEqualByComparingTo("0");
		assertThat(InvoiceCalculator.gbMonths(SEPTEMBER, -5_000_000_000L, storage.subList(1, 2)))
			.isEqualByComparingTo("0");
	}

	@Test
	void proratesTheBaseFeeByTheDayOverATierChange() {
		List<TierPeriod> tiers = List.of(new TierPeriod(PriceTier.SHARED, at("2026-09-05T08:00:00Z"), "created"),
				new TierPeriod(PriceTier.DEDICATED_DATABASE, at("2026-09-11T12:00:00Z"), "changed"));
		InvoiceCalculator.Computed computed = this.calculator.compute(SEPTEMBER, tiers, null, List.of(), 0, List.of());
		// Days 5-10 shared (6 days), 11-30 dedicated (20 days), days 1-4 before the
		// tenant.
		assertThat(computed.lines()).extracting(InvoiceLine::amount)
			.containsExactly(new BigDecimal("2.00"), new BigDecimal("133.33"));
		assertThat(computed.lines()).extracting(InvoiceLine::eventIds)
			.containsExactly(List.of("created"), List.of("changed"));
		assertThat(computed.total()).isEqualTo(new BigDecimal("135.33"));
	}

	@Test
	void splitsIterationsOverBandsAndNamesTheirEvents() {
		List<UsageRecord> runs = List.of(iterations("r1", 8_000_000, "2026-09-02T00:00:00Z"),
				iterations("r2", 4_000_000, "2026-09-03T00:00:00Z"));
		InvoiceCalculator.Computed computed = this.calculator.compute(SEPTEMBER, List.of(), PriceTier.SHARED, runs, 0,
				List.of());
		assertThat(computed.lines()).extracting(InvoiceLine::kind)
			.containsExactly("BASE_FEE", "ITERATIONS", "ITERATIONS");
		assertThat(computed.lines().get(1).eventIds()).containsExactly("r1", "r2");
		assertThat(computed.lines().get(2).eventIds()).containsExactly("r2");
		assertThat(computed.lines().get(2).quantity()).isEqualByComparingTo("2");
		assertThat(computed.lines().get(2).amount()).isEqualTo(new BigDecimal("1.00"));
		assertThat(computed.total()).isEqualTo(new BigDecimal("11.00"));
	}

	@Test
	void billsTheLastMonthOfALeavingTenantUpToTheEraseDayOnly() {
		List<TierPeriod> tiers = List.of(new TierPeriod(PriceTier.SHARED, at("2026-01-01T00:00:00Z"), "created"));
		// 2 GB held from before September, 3 GB more from the 6th; erased on the 11th at
		// noon.
		List<UsageRecord> storage = List.of(storage("up", 3_000_000_000L, "2026-09-06T00:00:00Z"));
		List<UsageRecord> runs = List.of(iterations("r1", 14_000_000, "2026-09-02T00:00:00Z"));
		OffsetDateTime erased = at("2026-09-11T12:00:00Z");

		InvoiceCalculator.Computed computed = this.calculator.compute(SEPTEMBER, erased, tiers, null,
				List.of(runs.get(0), storage.get(0)), 2_000_000_000L, storage);

		InvoiceLine base = computed.lines().get(0);
		assertThat(base.description()).isEqualTo("Base fee, shared (11 of 30 days)");
		assertThat(base.quantity()).isEqualByComparingTo("11");
		assertThat(base.amount()).isEqualTo(new BigDecimal("3.67"));
		assertThat(computed.lines()).extracting(InvoiceLine::kind)
			.containsExactly("BASE_FEE", "ITERATIONS", "ITERATIONS", "STORAGE", "STORAGE");
		assertThat(computed.lines().get(2).amount()).isEqualTo(new BigDecimal("2.00"));
		// 2 GB for 10.5 days + 3 GB for 5.5 days = 37.5 GB-days = 1.25 GB-months, 1
		// included
		assertThat(InvoiceCalculator.gbMonths(SEPTEMBER, erased, 2_000_000_000L, storage)).isEqualByComparingTo("1.25");
		assertThat(computed.lines().get(4).quantity()).isEqualByComparingTo("0.25");
		assertThat(computed.lines().get(4).amount()).isEqualTo(new BigDecimal("0.02")); // 0.025,
																						// half-even
		assertThat(computed.total()).isEqualTo(new BigDecimal("5.69"));
	}

	@Test
	void countsTheDaysOfAMonthBilledUntilAnInstant() {
		assertThat(InvoiceCalculator.billedDays(SEPTEMBER, at("2026-09-01T00:00:00Z"))).isEqualTo(1);
		assertThat(InvoiceCalculator.billedDays(SEPTEMBER, at("2026-09-30T23:59:59Z"))).isEqualTo(30);
		assertThat(InvoiceCalculator.billedDays(SEPTEMBER, at("2026-10-01T00:00:00Z"))).isEqualTo(30);
		assertThat(InvoiceCalculator.billedDays(SEPTEMBER, at("2026-08-31T23:00:00Z"))).isZero();
		// The day is UTC's, whatever the offset the instant is written with.
		assertThat(InvoiceCalculator.billedDays(SEPTEMBER, at("2026-09-11T01:00:00+02:00"))).isEqualTo(10);
	}

	private static UsageRecord storage(String id, long bytes, String at) {
		return new UsageRecord(UUID.randomUUID(), id, "file", UsageKind.STORAGE_BYTES, bytes, at(at),
				LocalDate.of(2026, 9, 1), null);
	}

	private static UsageRecord iterations(String id, long n, String at) {
		return new UsageRecord(UUID.randomUUID(), id, "sim", UsageKind.ITERATIONS, n, at(at), LocalDate.of(2026, 9, 1),
				null);
	}

	private static OffsetDateTime at(String at) {
		return OffsetDateTime.parse(at);
	}

	static PriceBook prices() {
		GraduatedRate iterations = new GraduatedRate("million iterations",
				List.of(new Band(new BigDecimal("10"), BigDecimal.ZERO),
						new Band(new BigDecimal("1000"), new BigDecimal("0.50")),
						new Band(null, new BigDecimal("0.30"))));
		GraduatedRate storage = new GraduatedRate("GB-month",
				List.of(new Band(BigDecimal.ONE, BigDecimal.ZERO), new Band(null, new BigDecimal("0.10"))));
		Map<PriceTier, PriceBook.TierPrices> tiers = new EnumMap<>(PriceTier.class);
		tiers.put(PriceTier.SHARED, new PriceBook.TierPrices(new BigDecimal("10.00"), iterations, storage, null));
		tiers.put(PriceTier.DEDICATED_SCHEMA,
				new PriceBook.TierPrices(new BigDecimal("50.00"), iterations, storage, null));
		tiers.put(PriceTier.DEDICATED_DATABASE,
				new PriceBook.TierPrices(new BigDecimal("200.00"), iterations, storage, null));
		tiers.put(PriceTier.ENTERPRISE, new PriceBook.TierPrices(new BigDecimal("2000.00"), iterations, storage, null));
		return new PriceBook("USD", tiers);
	}

}
