package io.tierflow.billing.pricing;

import java.math.BigDecimal;
import java.util.EnumMap;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Prices per {@link PriceTier}: a monthly base fee and graduated usage rates. Every tier
 * must be priced. The numbers and their reasons are in application.yml
 * ({@code tierflow.billing.prices}).
 *
 * @param currency ISO 4217 code of every price and invoice
 * @param tiers prices of each tier
 */
@Validated
@ConfigurationProperties("tierflow.billing.prices")
public record PriceBook(@DefaultValue("USD") @NotEmpty String currency,
		@Valid @NotNull Map<PriceTier, TierPrices> tiers) {

	public PriceBook {
		tiers = (tiers != null) ? new EnumMap<>(tiers) : new EnumMap<>(PriceTier.class);
		for (PriceTier tier : PriceTier.values()) {
			if (!tiers.containsKey(tier)) {
				throw new IllegalArgumentException("tierflow.billing.prices.tiers has no prices for " + tier);
			}
		}
	}

	public TierPrices of(PriceTier tier) {
		return this.tiers.get(tier);
	}

	/**
	 * Prices of one tier.
	 *
	 * @param baseFee fee for a whole month on the tier, prorated by the day
	 * @param iterations graduated rate per million simulation iterations in the month
	 * @param storage graduated rate per GB-month (10^9 bytes held for a whole month)
	 * @param perUser price per user created in the month
	 */
	public record TierPrices(@NotNull @PositiveOrZero BigDecimal baseFee, @Valid @NotNull GraduatedRate iterations,
			@Valid @NotNull GraduatedRate storage, @DefaultValue("0") @PositiveOrZero BigDecimal perUser) {

		public TierPrices {
			perUser = (perUser != null) ? perUser : BigDecimal.ZERO;
		}

	}

}
