package io.tierflow.billing.pricing;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** How amounts are rounded: half-even to the cent, once, at the invoice line. */
public final class Money {

	public static final int SCALE = 2;

	public static final RoundingMode ROUNDING = RoundingMode.HALF_EVEN;

	private Money() {
	}

	public static BigDecimal round(BigDecimal amount) {
		return amount.setScale(SCALE, ROUNDING);
	}

	/** {@code amount × numerator / denominator}, rounded once. */
	public static BigDecimal prorate(BigDecimal amount, long numerator, long denominator) {
		return amount.multiply(BigDecimal.valueOf(numerator)).divide(BigDecimal.valueOf(denominator), SCALE, ROUNDING);
	}

}
