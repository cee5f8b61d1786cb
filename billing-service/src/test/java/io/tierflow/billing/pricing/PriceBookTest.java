package io.tierflow.billing.pricing;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class PriceBookTest {

	private static final GraduatedRate ITERATIONS = new GraduatedRate("million iterations",
			List.of(new Band(new BigDecimal("10"), BigDecimal.ZERO),
					new Band(new BigDecimal("1000"), new BigDecimal("0.50")), new Band(null, new BigDecimal("0.30"))));

	@Test
	void chargesEachGraduatedBandOnlyForTheUnitsInsideIt() {
		List<BandCharge> charges = ITERATIONS.charge(new BigDecimal("1500"));
		assertThat(charges).extracting(BandCharge::quantity)
			.usingElementComparator(BigDecimal::compareTo)
			.containsExactly(new BigDecimal("10"), new BigDecimal("990"), new BigDecimal("500"));
		assertThat(charges).extracting(BandCharge::amount)
			.containsExactly(new BigDecimal("0.00"), new BigDecimal("495.00"), new BigDecimal("150.00"));
	}

	@Test
	void leavesOutBandsTheQuantityDoesNotReach() {
		assertThat(ITERATIONS.charge(new BigDecimal("12.345678"))).extracting(BandCharge::amount)
			.containsExactly(new BigDecimal("0.00"), new BigDecimal("1.17"));
		assertThat(ITERATIONS.charge(new BigDecimal("10"))).extracting(BandCharge::amount)
			.containsExactly(new BigDecimal("0.00"));
		assertThat(ITERATIONS.charge(BigDecimal.ZERO)).isEmpty();
	}

	@Test
	void roundsHalfEvenToTheCentAtTheLine() {
		GraduatedRate perUnit = new GraduatedRate("unit", List.of(new Band(null, BigDecimal.ONE)));
		assertThat(perUnit.charge(new BigDecimal("2.005")).get(0).amount()).isEqualTo(new BigDecimal("2.00"));
		assertThat(perUnit.charge(new BigDecimal("2.015")).get(0).amount()).isEqualTo(new BigDecimal("2.02"));
		assertThat(perUnit.charge(new BigDecimal("2.025")).get(0).amount()).isEqualTo(new BigDecimal("2.02"));
		assertThat(perUnit.charge(new BigDecimal("2.0251")).get(0).amount()).isEqualTo(new BigDecimal("2.03"));
		assertThat(Money.prorate(new BigDecimal("10.00"), 10, 30)).isEqualTo(new BigDecimal("3.33"));
		assertThat(Money.prorate(new BigDecimal("50.00"), 20, 30)).isEqualTo(new BigDecimal("33.33"));
		assertThat(Money.prorate(new BigDecimal("0.25"), 1, 2)).isEqualTo(new BigDecimal("0.12"));
		assertThat(Money.prorate(new BigDecimal("0.75"), 1, 2)).isEqualTo(new BigDecimal("0.38"));
	}

	@Test
	void refusesBandsOutOfOrderAndUnpricedTiers() {
		assertThatIllegalArgumentException().isThrownBy(() -> new GraduatedRate("u", List
			.of(new Band(new BigDecimal("10"), BigDecimal.ONE), new Band(new BigDecimal("5"), BigDecimal.ONE))));
		assertThatIllegalArgumentException().isThrownBy(() -> new GraduatedRate("u",
				List.of(new Band(null, BigDecimal.ONE), new Band(new BigDecimal("5"), BigDecimal.ONE))));
		assertThatIllegalArgumentException().isThrownBy(() -> new PriceBook("USD",
				Map.of(PriceTier.SHARED, new PriceBook.TierPrices(BigDecimal.TEN, ITERATIONS, ITERATIONS, null))));
	}

}
