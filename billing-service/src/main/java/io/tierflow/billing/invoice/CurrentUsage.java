package io.tierflow.billing.invoice;

import java.time.OffsetDateTime;

/**
 * The open month's usage so far and its draft invoice.
 *
 * @param period the month, {@code yyyy-MM}
 * @param from first instant of the month
 * @param to first instant of the next month
 * @param iterations simulation iterations billed in the month
 * @param storageBytes bytes stored now
 * @param users users created in the month
 */
public record CurrentUsage(String period, OffsetDateTime from, OffsetDateTime to, long iterations, long storageBytes,
		long users, Invoice invoice) {
}
