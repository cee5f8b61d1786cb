package io.tierflow.billing.usage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import com.github.f4b6a3.uuid.UuidCreator;
import io.tierflow.billing.pricing.PriceTier;
import io.tierflow.tenancy.context.TenantContext;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The current tenant's metered usage, tier history and billing periods. Must run inside a
 * transaction on the tenant's store.
 *
 * <p>
 * A usage record and a finalization never miss each other: recording takes a share lock
 * on its period's row, finalization an exclusive one before it reads the records. A
 * record is either committed before the invoice is computed, or sees the period closed
 * and goes to the next open month.
 */
@Repository
public class UsageLedger {

	private static final String PERIOD_COLUMNS = "select id, period, closed_at from billing_period";

	/**
	 * Storage rows, as the partial index {@code usage_record_storage} is defined: a
	 * literal, so that every plan of the statement, generic ones too, may use it.
	 */
	private static final String STORAGE = "kind = 'STORAGE_BYTES'";

	private static final String RECORD_COLUMNS = "select id, event_id, event_type, kind, quantity, occurred_at,"
			+ " period, note from usage_record";

	private final JdbcClient jdbc;

	UsageLedger(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** The month (UTC) of an instant. */
	public static YearMonth monthOf(OffsetDateTime at) {
		return YearMonth.from(at.atZoneSameInstant(ZoneOffset.UTC));
	}

	/** The first instant of a month (UTC). */
	public static OffsetDateTime startOf(YearMonth month) {
		return month.atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC);
	}

	/**
	 * Records usage, each in the open period of the month it occurred in, or, when that
	 * month's invoice is already final, in the next open month with a note saying so. The
	 * records are written by one statement; each period is locked once. Usage of an event
	 * already recorded (the event id is unique per tenant) is skipped.
	 * @return the records written
	 */
	List<UsageRecord> recordAll(List<MeteredUsage> usages) {
		if (usages.isEmpty()) {
			return List.of();
		}
		UUID tenant = TenantContext.require();
		Map<YearMonth, YearMonth> billedIn = new HashMap<>();
		List<UsageRecord> records = new ArrayList<>(usages.size());
		Set<String> seen = new HashSet<>();
		for (MeteredUsage usage : usages) {
			if (!seen.add(usage.eventId())) {
				continue;
			}
			YearMonth occurred = monthOf(usage.occurredAt());
			YearMonth month = billedIn.computeIfAbsent(occurred, this::openMonthFrom);
			String note = month.equals(occurred) ? null : "Late: occurred " + usage.occurredAt() + " in " + occurred
					+ ", whose invoice was already final; billed in " + month;
			records.add(new UsageRecord(UuidCreator.getTimeOrderedEpoch(), usage.eventId(), usage.eventType(),
					usage.kind(), usage.quantity(), usage.occurredAt(), month.atDay(1), note));
		}
		// One statement for the whole batch: a row per array element.
		int n = records.size();
		String[] ids = new String[n];
		String[] eventIds = new String[n];
		String[] eventTypes = new String[n];
		String[] kinds = new String[n];
		long[] quantities = new long[n];
		String[] occurredAt = new String[n];
		String[] periods = new String[n];
		String[] notes = new String[n];
		for (int i = 0; i < n; i++) {
			UsageRecord r = records.get(i);
			ids[i] = r.id().toString();
			eventIds[i] = r.eventId();
			eventTypes[i] = r.eventType();
			kinds[i] = r.kind().name();
			quantities[i] = r.quantity();
			occurredAt[i] = r.occurredAt().toString();
			periods[i] = r.period().toString();
			notes[i] = r.note();
		}
		Set<String> written = new HashSet<>(this.jdbc
			.sql("insert into usage_record (tenant_id, id, event_id, event_type, kind, quantity, occurred_at, period,"
					+ " note) select ?, * from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::bigint[],"
					+ " ?::timestamptz[], ?::date[], ?::text[]) on conflict (tenant_id, event_id) do nothing"
					+ " returning event_id")
			.params(tenant, ids, eventIds, eventTypes, kinds, quantities, occurredAt, periods, notes)
			.query(String.class)
			.list());
		return records.stream().filter((r) -> written.contains(r.eventId())).toList();
	}

	/**
	 * The first month from {@code month} on whose period is open, locked for recording
	 * until the transaction ends.
	 */
	private YearMonth openMonthFrom(YearMonth month) {
		YearMonth open = month;
		while (lockForRecording(open).closed()) {
			open = open.plusMonths(1);
		}
		return open;
	}

	void recordTier(String eventId, PriceTier tier, OffsetDateTime effectiveAt) {
		this.jdbc
			.sql("insert into tier_period (tenant_id, id, event_id, tier, effective_at)" + " values (?, ?, ?, ?, ?)")
			.params(TenantContext.require(), UuidCreator.getTimeOrderedEpoch(), eventId, tier.name(), effectiveAt)
			.update();
	}

	/** The period of a month, created (open) if the tenant has none yet. */
	public BillingPeriod ensurePeriod(YearMonth month) {
		this.jdbc.sql("insert into billing_period (tenant_id, period, id) values (?, ?, ?) on conflict do nothing")
			.params(TenantContext.require(), month.atDay(1), UuidCreator.getTimeOrderedEpoch())
			.update();
		return this.jdbc.sql(PERIOD_COLUMNS + " where period = ?")
			.param(month.atDay(1))
			.query(UsageLedger::period)
			.single();
	}

	private BillingPeriod lockForRecording(YearMonth month) {
		Optional<BillingPeriod> period = this.jdbc.sql(PERIOD_COLUMNS + " where period = ? for share")
			.param(month.atDay(1))
			.query(UsageLedger::period)
			.optional();
		if (period.isPresent()) {
			return period.get();
		}
		ensurePeriod(month);
		return this.jdbc.sql(PERIOD_COLUMNS + " where period = ? for share")
			.param(month.atDay(1))
			.query(UsageLedger::period)
			.single();
	}

	/**
	 * Closes a period for good, waiting for usage being recorded into it to commit first.
	 * @return false if it was closed already
	 */
	public boolean close(YearMonth month, OffsetDateTime at) {
		ensurePeriod(month);
		return this.jdbc.sql("update billing_period set closed_at = ? where period = ? and closed_at is null")
			.params(at, month.atDay(1))
			.update() == 1;
	}

	public Optional<BillingPeriod> findPeriod(UUID id) {
		return this.jdbc.sql(PERIOD_COLUMNS + " where id = ?").param(id).query(UsageLedger::period).optional();
	}

	/** Periods, the latest first. */
	public List<BillingPeriod> periods(int limit, long offset) {
		return this.jdbc.sql(PERIOD_COLUMNS + " order by period desc limit ? offset ?")
			.params(limit, offset)
			.query(UsageLedger::period)
			.list();
	}

	/** The earliest month the tenant has a tier or a period in, if any. */
	public Optional<YearMonth> firstMonth() {
		return Optional.ofNullable(this.jdbc
			.sql("select least((select min(effective_at) from tier_period),"
					+ " (select min(period)::timestamp at time zone 'UTC' from billing_period))")
			.query(OffsetDateTime.class)
			.single()).map(UsageLedger::monthOf);
	}

	/** Usage billed in a month, in the order it occurred. */
	public List<UsageRecord> billedIn(YearMonth month) {
		return this.jdbc.sql(RECORD_COLUMNS + " where period = ? order by occurred_at, id")
			.param(month.atDay(1))
			.query(UsageLedger::usage)
			.list();
	}

	/**
	 * Bytes stored at {@code at}: the sum of every storage delta that occurred before.
	 */
	public long storedAt(OffsetDateTime at) {
		return this.jdbc
			.sql("select coalesce(sum(quantity), 0) from usage_record where " + STORAGE + " and occurred_at < ?")
			.param(at)
			.query(Long.class)
			.single();
	}

	/** Storage deltas that occurred in {@code [from, to)}, in the order they occurred. */
	public List<UsageRecord> storageBetween(OffsetDateTime from, OffsetDateTime to) {
		return this.jdbc
			.sql(RECORD_COLUMNS + " where " + STORAGE
					+ " and occurred_at >= ? and occurred_at < ? order by occurred_at, id")
			.params(from, to)
			.query(UsageLedger::usage)
			.list();
	}

	/** The tenant's tiers, in the order they took effect. */
	public List<TierPeriod> tierHistory() {
		return this.jdbc.sql("select tier, effective_at, event_id from tier_period order by effective_at, id")
			.query((rs, i) -> new TierPeriod(PriceTier.valueOf(rs.getString(1)), rs.getObject(2, OffsetDateTime.class),
					rs.getString(3)))
			.list();
	}

	private static BillingPeriod period(ResultSet rs, int i) throws SQLException {
		return new BillingPeriod(rs.getObject(1, UUID.class), YearMonth.from(rs.getObject(2, LocalDate.class)),
				rs.getObject(3, OffsetDateTime.class));
	}

	private static UsageRecord usage(ResultSet rs, int i) throws SQLException {
		return new UsageRecord(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
				UsageKind.valueOf(rs.getString(4)), rs.getLong(5), rs.getObject(6, OffsetDateTime.class),
				rs.getObject(7, LocalDate.class), rs.getString(8));
	}

}
