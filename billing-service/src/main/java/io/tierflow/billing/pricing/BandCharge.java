package io.tierflow.billing.pricing;

import java.math.BigDecimal;

/**
 * The part of a quantity that falls into one band, and its charge.
 *
 * @param from the quantity where the band starts (exclusive)
 * @param to where it ends (inclusive), null if unbounded
 * @param quantity units of the quantity in this band
 * @param unitPrice the band's unit price
 * @param amount quantity × unit price, rounded half-even to the cent
 */
public record BandCharge(BigDecimal from, BigDecimal to, BigDecimal quantity, BigDecimal unitPrice, BigDecimal amount) {
}
