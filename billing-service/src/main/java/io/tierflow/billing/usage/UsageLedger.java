package io.tierflow.billing.usage;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

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

	/**
	 * Inserts records given as one array per column ({@link Columns}), after a leading
	 * tenant id parameter; {@code u} names the rows.
	 */
	private static final String INSERT_RECORDS = "insert into usage_record (tenant_id, id, event_id, event_type, kind,"
			+ " quantity, occurred_at, period, note) select ?, u.* from unnest(?::uuid[], ?::text[], ?::text[],"
			+ " ?::text[], ?::bigint[], ?::timestamptz[], ?::date[], ?::text[]) as u(id, event_id, event_type, kind,"
			+ " quantity, occurred_at, period, note)";

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
	 * month's invoice is already final, in the next open month with a note saying so.
	 * Usage of an event already recorded (the event id is unique per tenant) is skipped.
	 *
	 * <p>
	 * One statement does the usual case: it takes a share lock on the periods of the
	 * months the usage occurred in, where they are open, and writes the records of those
	 * months. Records of a month with no open period yet (its first usage, or an invoice
	 * already final) are written afterwards, one period lock at a time.
	 * @return the records written
	 */
	List<UsageRecord> recordAll(List<MeteredUsage> usages) {
		if (usages.isEmpty()) {
			return List.of();
		}
		List<UsageRecord> records = new ArrayList<>(usages.size());
		Set<String> seen = new HashSet<>();
		Set<LocalDate> months = new HashSet<>();
		for (MeteredUsage usage : usages) {
			if (seen.add(usage.eventId())) {
				UsageRecord record = new UsageRecord(UuidCreator.getTimeOrderedEpoch(), usage.eventId(),
						usage.eventType(), usage.kind(), usage.quantity(), usage.occurredAt(),
						monthOf(usage.occurredAt()).atDay(1), null);
				records.add(record);
				months.add(record.period());
			}
		}
		Columns columns = new Columns(records);
		Set<LocalDate> open = new HashSet<>();
		Set<String> written = new HashSet<>();
		this.jdbc
			.sql("with open as (select period from billing_period where period = any(?::date[])"
					+ " and closed_at is null for share), written as (" + INSERT_RECORDS
					+ " where u.period in (select period from open) on conflict (tenant_id, event_id) do nothing"
					+ " returning event_id) select (select array_agg(period::text) from open),"
					+ " (select array_agg(event_id) from written)")
			.params(columns.params(months.stream().map(LocalDate::toString).toArray(String[]::new),
					TenantContext.require()))
			.query((ResultSet rs) -> {
				addAll(open, rs.getArray(1), LocalDate::parse);
				addAll(written, rs.getArray(2), (id) -> id);
			});
		List<UsageRecord> result = new ArrayList<>(records.size());
		List<UsageRecord> later = new ArrayList<>();
		for (UsageRecord r : records) {
			if (!open.contains(r.period())) {
				later.add(r);
			}
			else if (written.contains(r.eventId())) {
				result.add(r);
			}
		}
		if (!later.isEmpty()) {
			result.addAll(recordWithoutOpenPeriod(later));
		}
		return result;
	}

	/**
	 * Records usage whose month had no open period: the period is created if it is
	 * missing, and usage of a month whose invoice is final goes to the next open month,
	 * each period locked once.
	 * @return the records written
	 */
	private List<UsageRecord> recordWithoutOpenPeriod(List<UsageRecord> records) {
		Map<YearMonth, YearMonth> billedIn = new HashMap<>();
		List<UsageRecord> placed = new ArrayList<>(records.size());
		for (UsageRecord r : records) {
			YearMonth occurred = YearMonth.from(r.period());
			YearMonth month = billedIn.computeIfAbsent(occurred, this::openMonthFrom);
			String note = month.equals(occurred) ? null : "Late: occurred " + r.occurredAt() + " in " + occurred
					+ ", whose invoice was already final; billed in " + month;
			placed.add(new UsageRecord(r.id(), r.eventId(), r.eventType(), r.kind(), r.quantity(), r.occurredAt(),
					month.atDay(1), note));
		}
		Columns columns = new Columns(placed);
		Set<String> written = new HashSet<>(
				this.jdbc.sql(INSERT_RECORDS + " on conflict (tenant_id, event_id) do nothing returning event_id")
					.params(columns.params(TenantContext.require()))
					.query(String.class)
					.list());
		return placed.stream().filter((r) -> written.contains(r.eventId())).toList();
	}

	private static <T> void addAll(Set<T> into, Array array, Function<String, T> parse) throws SQLException {
		if (array != null) {
			for (Object value : (Object[]) array.getArray()) {
				into.add(parse.apply(value.toString()));
			}
		}
	}

	/** Records as one array per column: one statement writes them all. */
	private static final class Columns {

		final String[] ids;

		final String[] eventIds;

		final String[] eventTypes;

		final String[] kinds;

		final long[] quantities;

		final String[] occurredAt;

		final String[] periods;

		final String[] notes;

		Columns(List<UsageRecord> records) {
			int n = records.size();
			this.ids = new String[n];
			this.eventIds = new String[n];
			this.eventTypes = new String[n];
			this.kinds = new String[n];
			this.quantities = new long[n];
			this.occurredAt = new String[n];
			this.periods = new String[n];
			this.notes = new String[n];
			for (int i = 0; i < n; i++) {
				UsageRecord r = records.get(i);
				this.ids[i] = r.id().toString();
				this.eventIds[i] = r.eventId();
				this.eventTypes[i] = r.eventType();
				this.kinds[i] = r.kind().name();
				this.quantities[i] = r.quantity();
				this.occurredAt[i] = r.occurredAt().toString();
				this.periods[i] = r.period().toString();
				this.notes[i] = r.note();
			}
		}

		/** The statement's parameters: {@code leading} ones, then a column each. */
		Object[] params(Object... leading) {
			Object[] params = Arrays.copyOf(leading, leading.length + 8);
			System.arraycopy(new Object[] { this.ids, this.eventIds, this.eventTypes, this.kinds, this.quantities,
					this.occurredAt, this.periods, this.notes }, 0, params, leading.length, 8);
			return params;
		}

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

	/** How many of the months from {@code first} to {@code last} are closed. */
	public long closedBetween(YearMonth first, YearMonth last) {
		return this.jdbc
			.sql("select count(*) from billing_period where closed_at is not null and period between ? and ?")
			.params(first.atDay(1), last.atDay(1))
			.query(Long.class)
			.single();
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
