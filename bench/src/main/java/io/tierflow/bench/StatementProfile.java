package io.tierflow.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tierflow.testsupport.PostgresServer;

/**
 * Where PostgreSQL's time goes, statement by statement: logs every statement's duration
 * for a while ({@code log_min_duration_statement = 0}, set and reset with ALTER SYSTEM
 * and a reload) and sums the durations by statement shape (literals, numbers and tenant
 * schema names replaced). Works when the server writes its log to a file this process can
 * read, as the throwaway local cluster does; otherwise it says so and reports nothing.
 * Logging every statement slows the server down a little: use it to compare shares, not
 * totals.
 */
final class StatementProfile {

	private static final Pattern DURATION = Pattern
		.compile("^\\S+ \\S+ \\S+ \\[\\d+\\] (\\S*) LOG:  duration: ([0-9.]+) ms  (statement|parse|bind|execute)"
				+ "[^:]*: (.*)$");

	private final PostgresServer pg;

	private final Path log;

	private final long from;

	private StatementProfile(PostgresServer pg, Path log, long from) {
		this.pg = pg;
		this.log = log;
		this.from = from;
	}

	static StatementProfile start(PostgresServer pg) throws SQLException, IOException {
		Path log = null;
		try (Connection con = pg.adminConnection("postgres"); Statement st = con.createStatement()) {
			try (ResultSet rs = st.executeQuery("show data_directory")) {
				rs.next();
				log = Paths.get(rs.getString(1), "tierflow-postgres.log");
			}
			if (!Files.isReadable(log)) {
				Bench.say("  (no statement profile: the server's log " + log + " is not readable here)");
				return new StatementProfile(pg, null, 0);
			}
			st.execute("alter system set log_min_duration_statement = 0");
			st.execute("alter system set log_line_prefix = '%m [%p] %d '");
			st.execute("select pg_reload_conf()");
			return new StatementProfile(pg, log, Files.size(log));
		}
	}

	/** Stops logging statements and returns the report lines. */
	List<String> stop() throws SQLException, IOException {
		if (this.log == null) {
			return List.of();
		}
		try (Connection con = this.pg.adminConnection("postgres"); Statement st = con.createStatement()) {
			st.execute("alter system reset log_min_duration_statement");
			st.execute("alter system reset log_line_prefix");
			st.execute("select pg_reload_conf()");
		}
		Map<String, double[]> byShape = new HashMap<>();
		double total = 0;
		long statements = 0;
		try (RandomAccessFile file = new RandomAccessFile(this.log.toFile(), "r")) {
			file.seek(this.from);
			String raw;
			while ((raw = file.readLine()) != null) {
				String line = new String(raw.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
				Matcher m = DURATION.matcher(line);
				if (!m.matches()) {
					continue;
				}
				double ms = Double.parseDouble(m.group(2));
				String key = String.format(Locale.ROOT, "%-8s %-22s %s", m.group(3), shortDatabase(m.group(1)),
						shape(m.group(4)));
				double[] sum = byShape.computeIfAbsent(key, (k) -> new double[2]);
				sum[0] += ms;
				sum[1]++;
				total += ms;
				statements++;
			}
		}
		List<String> lines = new ArrayList<>();
		lines.add(String.format(Locale.ROOT, "    %d statement phases, %.1f s of server time in all; top 25:",
				statements, total / 1000));
		lines.add(String.format(Locale.ROOT, "    %6s %9s %8s  %-8s %-22s %s", "share", "total ms", "count", "phase",
				"database", "statement"));
		double all = Math.max(total, 1e-9);
		byShape.entrySet()
			.stream()
			.sorted(Comparator.comparingDouble((Map.Entry<String, double[]> e) -> -e.getValue()[0]))
			.limit(25)
			.forEach((e) -> lines.add(String.format(Locale.ROOT, "    %5.1f%% %9.0f %8.0f  %s",
					100 * e.getValue()[0] / all, e.getValue()[0], e.getValue()[1], e.getKey())));
		return lines;
	}

	private static String shortDatabase(String database) {
		return database.isEmpty() ? "-" : database;
	}

	/** The statement with what varies per tenant or per call replaced. */
	private static String shape(String sql) {
		String s = sql.replaceAll("t_[0-9a-f]{32}", "t_?")
			.replaceAll("'[^']*'", "'?'")
			.replaceAll("\\b\\d+\\b", "?")
			.replaceAll("\\s+", " ")
			.trim();
		return (s.length() > 110) ? s.substring(0, 110) + "…" : s;
	}

}
