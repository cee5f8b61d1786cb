package io.tierflow.analytics.usage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.tierflow.tenancy.context.TenantContext;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The current tenant's daily usage. Plain SQL on the tenancy core's JdbcClient: the same
 * statements run on shared tables, a tenant schema or a tenant database.
 */
@Repository
class DailyUsageRepository {

	/** Counters an event may add to; the names are columns of {@code daily_usage}. */
	static final Set<String> COUNTERS = Set.of("runs_started", "runs_completed", "runs_failed", "iterations", "cpu_ms",
			"files_uploaded", "files_deleted", "bytes_uploaded", "bytes_deleted", "users_created");

	private static final String COLUMNS = "day, runs_started, runs_completed, runs_failed, iterations, cpu_ms,"
			+ " files_uploaded, files_deleted, bytes_uploaded, bytes_deleted, users_created";

	private final JdbcClient jdbc;

	DailyUsageRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Adds to one day's counters.
	 * @param amounts counter (a column of {@link #COUNTERS}) to the amount added
	 */
	void add(LocalDate day, Map<String, Long> amounts) {
		for (String column : amounts.keySet()) {
			if (!COUNTERS.contains(column)) {
				throw new IllegalArgumentException("Not a usage counter: " + column);
			}
		}
		List<String> columns = List.copyOf(amounts.keySet());
		String sql = "insert into daily_usage (tenant_id, day, " + String.join(", ", columns) + ") values (?, ?, "
				+ columns.stream().map((c) -> "?").collect(Collectors.joining(", ")) + ")"
				+ " on conflict (tenant_id, day) do update set "
				+ columns.stream()
					.map((c) -> c + " = daily_usage." + c + " + excluded." + c)
					.collect(Collectors.joining(", "));
		List<Object> params = new ArrayList<>();
		params.add(TenantContext.require());
		params.add(day);
		columns.forEach((c) -> params.add(amounts.get(c)));
		this.jdbc.sql(sql).params(params).update();
	}

	List<DailyUsage> between(LocalDate from, LocalDate to) {
		return this.jdbc.sql("select " + COLUMNS + " from daily_usage where day between ? and ? order by day")
			.params(from, to)
			.query(DailyUsageRepository::row)
			.list();
	}

	private static DailyUsage row(ResultSet rs, int i) throws SQLException {
		return new DailyUsage(rs.getObject(1, LocalDate.class), rs.getLong(2), rs.getLong(3), rs.getLong(4),
				rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10),
				rs.getLong(11));
	}

}
