package io.tierflow.billing.invoice;

import java.math.BigDecimal;
import java.util.List;

/**
 * One line of an invoice.
 *
 * @param kind BASE_FEE, ITERATIONS, STORAGE or USERS
 * @param quantity units charged on this line (days for a base fee, millions of
 * iterations, GB-months, users)
 * @param unitPrice price of one unit (for a base fee: the fee of a whole month)
 * @param amount the line's charge, rounded half-even to the cent
 * @param eventIds ids of the events that produced the line
 * @param note why late usage is on this invoice, or null
 */
public record InvoiceLine(String kind, String description, BigDecimal quantity, String unit, BigDecimal unitPrice,
		BigDecimal amount, List<String> eventIds, String note) {
}
