package io.tierflow.tenancy.autopilot;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.routing.PlacementPools;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Each tenant's figures in this service, in the control database
 * ({@code tenant_statistics}), for the {@link PlacementAdvisor}: never from a scan of
 * tenant tables on a request.
 * <ul>
 * <li>Every instance adds its {@link TenantActivity} (statements, writes, a latency
 * histogram) to the current window's sums, every {@code flush};</li>
 * <li>the instance holding the autopilot's lease closes the windows: each tenant's writes
 * per second and p95 over the window, computed and reset in one statement so that no
 * instance's flush is lost;</li>
 * <li>and re-measures rows and bytes of the tenants that wrote since they were last
 * measured (or not for a day), a bounded number a pass: from the catalog for a schema or
 * a database of the tenant's own ({@code reltuples}, relation sizes; a table never
 * analyzed is counted), by an index scan of its {@code tenant_id} rows in each shared
 * table (up to {@value #ROW_CAP} a table), bytes then its share of the table's.</li>
 * </ul>
 */
public class TenantStatistics {

	private static final Logger log = LoggerFactory.getLogger(TenantStatistics.class);

	/** Rows counted per shared table at most. */
	static final long ROW_CAP = 10_000_000;

	/** The platform's own tables with a {@code tenant_id}: not the tenant's data. */
	private static final List<String> PLATFORM_TABLES = List.of("outbox", "inbox", "flyway_schema_history");

	private final JdbcClient control;

	private final JdbcTemplate batch;

	private final TransactionTemplate controlTx;

	private final PlacementRepository placements;

	private final PlacementPools pools;

	private final TenantActivity activity;

	private final JsonMapper json = JsonMapper.builder().build();

	public TenantStatistics(DataSource control, TransactionTemplate controlTx, PlacementRepository placements,
			PlacementPools pools, TenantActivity activity) {
		this.control = JdbcClient.create(control);
		this.batch = new JdbcTemplate(control);
		this.controlTx = controlTx;
		this.placements = placements;
		this.pools = pools;
		this.activity = activity;
	}

	/**
	 * Adds this instance's activity since the last flush to the current windows.
	 * @return the tenants flushed
	 */
	public int flush() {
		List<Map.Entry<UUID, TenantActivity.Window>> windows = new ArrayList<>(this.activity.drain().entrySet());
		if (windows.isEmpty()) {
			return 0;
		}
		this.batch.batchUpdate("""
				insert into tenant_statistics (tenant_id, queries, writes, latency, dirty)
				select ?, ?, ?, ?, ? where not exists (select 1 from tenant_erasure e where e.tenant_id = ?)
				on conflict (tenant_id) do update set queries = tenant_statistics.queries + excluded.queries,
				  writes = tenant_statistics.writes + excluded.writes,
				  latency = (select coalesce(array_agg(coalesce(a, 0) + coalesce(b, 0) order by n), '{}')
				             from unnest(tenant_statistics.latency, excluded.latency) with ordinality as t(a, b, n)),
				  dirty = tenant_statistics.dirty or excluded.dirty""", new BatchPreparedStatementSetter() {

			@Override
			public void setValues(PreparedStatement ps, int i) throws SQLException {
				Map.Entry<UUID, TenantActivity.Window> w = windows.get(i);
				ps.setObject(1, w.getKey());
				ps.setLong(2, w.getValue().queries());
				ps.setLong(3, w.getValue().writes());
				Long[] latency = new Long[w.getValue().latency().length];
				for (int b = 0; b < latency.length; b++) {
					latency[b] = w.getValue().latency()[b];
				}
				ps.setArray(4, ps.getConnection().createArrayOf("bigint", latency));
				ps.setBoolean(5, w.getValue().writes() > 0);
				// A tenant erased since its statements ran leaves no figures behind.
				ps.setObject(6, w.getKey());
			}

			@Override
			public int getBatchSize() {
				return windows.size();
			}

		});
		return windows.size();
	}

	/**
	 * Closes every window older than {@code window}: writes per second and the p95 over
	 * it (the upper bound of the bucket holding the 95th percentile), then zero again. A
	 * tenant idle for a whole window is closed once more (its rate 0, no p95) and then
	 * left alone.
	 * @return the windows closed
	 */
	public int closeWindows(Duration window) {
		return this.control.sql("""
				update tenant_statistics set
				  writes_per_s = writes / greatest(extract(epoch from now() - window_started_at), 1),
				  p95_ms = (select 0.064 * power(2, (n - 1) / 2.0) from (
				      select n, sum(v) over (order by n) as seen, sum(v) over () as total
				      from unnest(latency) with ordinality as t(v, n)) x
				    where total > 0 and seen >= ceil(total * 0.95) order by n limit 1),
				  window_ended_at = now(), queries = 0, writes = 0, latency = '{}', window_started_at = now()
				where window_started_at <= now() - make_interval(secs => ?)
				  and (queries > 0 or coalesce(writes_per_s, 0) <> 0 or p95_ms is not null)""")
			.param(window.toMillis() / 1000.0)
			.update();
	}

	/**
	 * Measures the rows and bytes of up to {@code limit} tenants: those that wrote since
	 * they were measured, then those never measured or not for a day.
	 * @return the tenants measured
	 */
	public int measure(int limit) {
		List<UUID> due = this.control
			.sql("""
					select p.tenant_id from tenant_placement p left join tenant_statistics s using (tenant_id)
					where p.state = 'READY'
					  and (s.tenant_id is null or s.dirty or s.measured_at is null or s.measured_at < now() - interval '1 day')
					order by s.measured_at nulls first limit ?""")
			.param(limit)
			.query(UUID.class)
			.list();
		int measured = 0;
		for (UUID tenant : due) {
			Optional<TenantPlacement> placement = this.controlTx.execute((s) -> this.placements.find(tenant));
			if (placement.isEmpty()) {
				continue;
			}
			try {
				Measured m = measure(placement.get());
				this.control.sql("""
						insert into tenant_statistics (tenant_id, rows, bytes, tables, measured_at, dirty)
						select ?, ?, ?, ?::jsonb, now(), false
						where not exists (select 1 from tenant_erasure e where e.tenant_id = ?)
						on conflict (tenant_id) do update set rows = excluded.rows, bytes = excluded.bytes,
						  tables = excluded.tables, measured_at = now(), dirty = false""")
					.params(tenant, m.rows(), m.bytes(), this.json.writeValueAsString(m.tables()), tenant)
					.update();
				measured++;
			}
			catch (SQLException | RuntimeException ex) {
				log.warn("Tenant {} not measured: {}", tenant, ex.toString());
			}
		}
		return measured;
	}

	/** The tenant's figures, if any were recorded. */
	public Optional<Stat> find(UUID tenant) {
		return this.control.sql("select " + STAT_COLUMNS + " from tenant_statistics where tenant_id = ?")
			.param(tenant)
			.query(TenantStatistics::stat)
			.optional();
	}

	/** Every tenant's figures, by tenant. */
	public Map<UUID, Stat> all() {
		Map<UUID, Stat> all = new LinkedHashMap<>();
		this.control.sql("select " + STAT_COLUMNS + " from tenant_statistics")
			.query(TenantStatistics::stat)
			.list()
			.forEach((s) -> all.put(s.tenantId(), s));
		return all;
	}

	private static final String STAT_COLUMNS = "tenant_id, rows, bytes, writes_per_s, p95_ms, measured_at,"
			+ " window_ended_at";

	private static Stat stat(ResultSet rs, int i) throws SQLException {
		return new Stat(rs.getObject(1, UUID.class), (Long) rs.getObject(2), (Long) rs.getObject(3),
				(Double) rs.getObject(4), (Double) rs.getObject(5), rs.getObject(6, OffsetDateTime.class),
				rs.getObject(7, OffsetDateTime.class));
	}

	private Measured measure(TenantPlacement p) throws SQLException {
		String schema = p.schema();
		// A quiet tenant's own database is measured over a plain connection: a sweep over
		// a thousand of them opens no pool, nor closes those of tenants being served.
		try (Connection con = this.pools.ownerIfOpen(p.cluster(), p.database()).getConnection()) {
			List<Table> tables = tables(con, schema);
			Map<String, Long> rowsPerTable = new LinkedHashMap<>();
			long rows = 0;
			long bytes = 0;
			for (Table t : tables) {
				long n;
				if (p.isolation() == IsolationMode.ROW) {
					n = countOf(con, t, p.tenantId());
					bytes += (t.estimatedRows() > 0) ? Math.round((double) t.bytes() * n / t.estimatedRows())
							: (n > 0 ? t.bytes() : 0);
				}
				else {
					n = (t.estimatedRows() >= 0) ? t.estimatedRows() : countOf(con, t, null);
					bytes += t.bytes();
				}
				rowsPerTable.put(t.name(), n);
				rows += n;
			}
			return new Measured(rows, bytes, rowsPerTable);
		}
	}

	/** The tenant tables of {@code schema}: those with a {@code tenant_id}. */
	/**
	 * Found through {@code pg_depend}'s index on the referenced schema, like the securing
	 * block's ({@code PlacementMigrator}): {@code pg_class} has no index on its
	 * namespace, and a database of 10,000 tenant schemas has some 200,000 relations to
	 * scan.
	 */
	private static List<Table> tables(Connection con, String schema) throws SQLException {
		List<Table> tables = new ArrayList<>();
		try (PreparedStatement ps = con.prepareStatement("""
				select c.relname, c.reltuples::bigint, pg_total_relation_size(c.oid) from pg_depend d
				join pg_class c on c.oid = d.objid
				join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
				where d.refclassid = 'pg_namespace'::regclass and d.classid = 'pg_class'::regclass
				  and d.deptype = 'n' and d.refobjid = (select oid from pg_namespace where nspname = ?)
				  and c.relkind in ('r', 'p') and not c.relispartition
				order by c.relname""")) {
			ps.setString(1, schema);
			try (ResultSet rs = ps.executeQuery()) {
				while (rs.next()) {
					if (!PLATFORM_TABLES.contains(rs.getString(1))) {
						tables.add(new Table(schema, rs.getString(1), rs.getLong(2), rs.getLong(3)));
					}
				}
			}
		}
		return tables;
	}

	/** The tenant's rows of a shared table, or all rows of its own, up to the cap. */
	private static long countOf(Connection con, Table t, UUID tenant) throws SQLException {
		String from = "\"" + t.schema() + "\".\"" + t.name() + "\"";
		String sql = "select count(*) from (select 1 from " + from + ((tenant != null) ? " where tenant_id = ?" : "")
				+ " limit " + ROW_CAP + ") x";
		try (PreparedStatement ps = con.prepareStatement(sql)) {
			if (tenant != null) {
				ps.setObject(1, tenant);
			}
			try (Statement timeout = con.createStatement()) {
				timeout.execute("set statement_timeout = '60s'");
			}
			try (ResultSet rs = ps.executeQuery()) {
				rs.next();
				return rs.getLong(1);
			}
			finally {
				try (Statement reset = con.createStatement()) {
					reset.execute("reset statement_timeout");
				}
			}
		}
	}

	/**
	 * A tenant's figures here.
	 *
	 * @param writesPerSecond over the last closed window, all instances
	 * @param p95Millis of its statements over the last closed window
	 */
	public record Stat(UUID tenantId, Long rows, Long bytes, Double writesPerSecond, Double p95Millis,
			OffsetDateTime measuredAt, OffsetDateTime windowEndedAt) {

		PlacementAdvisor.Figures figures() {
			return new PlacementAdvisor.Figures(this.rows, this.bytes, this.p95Millis, this.writesPerSecond);
		}

	}

	private record Table(String schema, String name, long estimatedRows, long bytes) {
	}

	private record Measured(long rows, long bytes, Map<String, Long> tables) {
	}

}
