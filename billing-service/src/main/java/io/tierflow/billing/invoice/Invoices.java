package io.tierflow.billing.invoice;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.tierflow.billing.pricing.PriceBook;
import io.tierflow.billing.pricing.PriceTier;
import io.tierflow.billing.usage.BillingPeriod;
import io.tierflow.billing.usage.UsageKind;
import io.tierflow.billing.usage.UsageLedger;
import io.tierflow.billing.usage.UsageRecord;
import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.outbox.Outbox;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.TenantProvisioner;

import org.springframework.stereotype.Service;

/**
 * The current tenant's invoices: drafts computed from the usage ledger on every read, and
 * finalization. Every method runs inside a transaction on the tenant's store.
 */
@Service
class Invoices {

	private final UsageLedger ledger;

	private final InvoiceRepository finals;

	private final InvoiceCalculator calculator;

	private final PriceBook prices;

	private final TenantProvisioner provisioner;

	private final Outbox outbox;

	private final InvoicingProperties properties;

	private final Clock clock;

	Invoices(UsageLedger ledger, InvoiceRepository finals, PriceBook prices, TenantProvisioner provisioner,
			Outbox outbox, InvoicingProperties properties, Clock clock) {
		this.ledger = ledger;
		this.finals = finals;
		this.calculator = new InvoiceCalculator(prices);
		this.prices = prices;
		this.provisioner = provisioner;
		this.outbox = outbox;
		this.properties = properties;
		this.clock = clock;
	}

	YearMonth currentMonth() {
		return UsageLedger.monthOf(OffsetDateTime.now(this.clock));
	}

	CurrentUsage current() {
		YearMonth month = currentMonth();
		BillingPeriod period = this.ledger.ensurePeriod(month);
		List<UsageRecord> billed = this.ledger.billedIn(month);
		long stored = Math.max(0, this.ledger.storedAt(OffsetDateTime.now(this.clock).plusNanos(1)));
		return new CurrentUsage(month.toString(), UsageLedger.startOf(month), UsageLedger.startOf(month.plusMonths(1)),
				sum(billed, UsageKind.ITERATIONS), stored, sum(billed, UsageKind.USERS), draft(period));
	}

	Optional<Invoice> find(UUID id) {
		return this.ledger.findPeriod(id).map((p) -> p.closed() ? this.finals.find(id).orElseThrow() : draft(p));
	}

	/** Invoices, the latest month first; the open month's draft is always there. */
	List<InvoiceSummary> page(int limit, long offset) {
		this.ledger.ensurePeriod(currentMonth());
		return this.ledger.periods(limit, offset)
			.stream()
			.map((p) -> p.closed() ? new InvoiceSummary(p.id(), p.month().toString(), Invoice.FINALIZED,
					this.prices.currency(), this.finals.total(p.id()).orElseThrow(), p.closedAt()) : draft(p).summary())
			.toList();
	}

	/**
	 * Finalizes every month of the tenant whose grace period is over.
	 * @return the number of invoices finalized
	 */
	int finalizeDue() {
		OffsetDateTime now = OffsetDateTime.now(this.clock);
		Optional<YearMonth> first = this.ledger.firstMonth();
		if (first.isEmpty()) {
			return 0;
		}
		int finalized = 0;
		for (YearMonth m = first.get(); isDue(m, now); m = m.plusMonths(1)) {
			if (finalize(m, now, UsageLedger.startOf(m.plusMonths(1)))) {
				finalized++;
			}
		}
		return finalized;
	}

	/**
	 * Whether {@link #finalizeDue()} has anything to do: a month whose grace is over and
	 * that is not closed yet. Two reads, so that the finalizer's visit to a tenant that
	 * is up to date takes a read-only transaction, not a write one with a statement per
	 * month of its history.
	 */
	boolean hasDue() {
		OffsetDateTime now = OffsetDateTime.now(this.clock);
		Optional<YearMonth> first = this.ledger.firstMonth();
		if (first.isEmpty() || !isDue(first.get(), now)) {
			return false;
		}
		YearMonth last = first.get();
		while (isDue(last.plusMonths(1), now)) {
			last = last.plusMonths(1);
		}
		long months = ChronoUnit.MONTHS.between(first.get(), last) + 1;
		return this.ledger.closedBetween(first.get(), last) < months;
	}

	/**
	 * Issues the tenant's last invoices, before it is erased: every month up to the
	 * current one is finalized now, whatever its grace, and the current month is billed
	 * up to now only (the base fee for its days so far, storage held until now, usage
	 * recorded until now). Months closed already stay as they are, so it is safe to
	 * repeat. Usage recorded afterwards goes to the next month, which is never invoiced:
	 * the tenant is suspended by then, and its store is about to go.
	 * @return the number of invoices finalized
	 */
	int finalizeLast() {
		OffsetDateTime now = OffsetDateTime.now(this.clock);
		YearMonth current = UsageLedger.monthOf(now);
		YearMonth first = this.ledger.firstMonth().filter((m) -> m.isBefore(current)).orElse(current);
		int finalized = 0;
		for (YearMonth m = first; !m.isAfter(current); m = m.plusMonths(1)) {
			if (finalize(m, now, m.equals(current) ? now : UsageLedger.startOf(m.plusMonths(1)))) {
				finalized++;
			}
		}
		return finalized;
	}

	/** Every final invoice of the tenant, the earliest month first. */
	List<Invoice> finals() {
		return this.finals.all();
	}

	private boolean isDue(YearMonth month, OffsetDateTime now) {
		return now.isAfter(UsageLedger.startOf(month.plusMonths(1)).plus(this.properties.grace()));
	}

	/**
	 * Closes the month and stores its invoice, billed up to {@code until}, with
	 * invoice.finalized in the outbox of the same transaction. Usage recorded into the
	 * month commits before (the close waits for it) or goes to the next month.
	 */
	private boolean finalize(YearMonth month, OffsetDateTime now, OffsetDateTime until) {
		if (!this.ledger.close(month, now)) {
			return false;
		}
		BillingPeriod period = this.ledger.ensurePeriod(month);
		Invoice draft = draft(period, until);
		Invoice invoice = new Invoice(draft.id(), draft.period(), Invoice.FINALIZED, draft.currency(), draft.total(),
				period.closedAt(), draft.lines());
		this.finals.insert(invoice);
		UUID tenant = TenantContext.require();
		this.outbox.append(Topics.INVOICE, EventTypes.INVOICE_FINALIZED, tenant, invoice.id().toString(),
				new InvoiceFinalized(tenant, invoice.id(), invoice.period(), invoice.currency(), invoice.total(),
						invoice.lines().size(), invoice.finalizedAt()));
		return true;
	}

	private Invoice draft(BillingPeriod period) {
		return draft(period, UsageLedger.startOf(period.month().plusMonths(1)));
	}

	private Invoice draft(BillingPeriod period, OffsetDateTime until) {
		YearMonth month = period.month();
		InvoiceCalculator.Computed computed = this.calculator.compute(month, until, this.ledger.tierHistory(),
				placementTier(), this.ledger.billedIn(month), this.ledger.storedAt(UsageLedger.startOf(month)),
				this.ledger.storageBetween(UsageLedger.startOf(month), UsageLedger.startOf(month.plusMonths(1))));
		return new Invoice(period.id(), month.toString(), Invoice.DRAFT, this.prices.currency(), computed.total(), null,
				computed.lines());
	}

	private PriceTier placementTier() {
		return this.provisioner.find(TenantContext.require())
			.map((p) -> PriceTier.of(p.tier(), p.isolation()))
			.orElse(null);
	}

	private static long sum(List<UsageRecord> records, UsageKind kind) {
		return records.stream().filter((r) -> r.kind() == kind).mapToLong(UsageRecord::quantity).sum();
	}

}
