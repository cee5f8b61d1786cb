package io.tierflow.billing.pricing;

import java.math.BigDecimal;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * One band of a graduated rate: every unit above the previous band's limit and up to
 * {@code upTo} costs {@code unitPrice}.
 *
 * @param upTo upper limit of the band in units (inclusive); null for the last, unbounded
 * band
 * @param unitPrice price of one unit in the band; zero for an included allowance
 */
public record Band(@PositiveOrZero BigDecimal upTo, @NotNull @PositiveOrZero BigDecimal unitPrice) {
}
