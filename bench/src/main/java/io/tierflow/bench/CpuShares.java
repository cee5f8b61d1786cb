package io.tierflow.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Who used the machine's CPU during a measurement, from Linux's /proc: this JVM (the
 * service, the load and the in-JVM Kafka broker), the PostgreSQL cluster that serves
 * {@code database} (its postmaster, live children and the exited children it reaped), and
 * everything else (other builds sharing the machine). Silently empty where /proc is not
 * readable.
 */
final class CpuShares {

	private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

	private final String database;

	private final long wallStart;

	private final long machineBusyStart;

	private final long jvmStart;

	private final long postgresStart;

	private final Map<String, Long> jvmThreadsStart;

	private final Map<String, Long> postgresStartByProcess;

	private CpuShares(String database) {
		this.database = database;
		this.postgresStartByProcess = postgresTicksByProcess(database);
		this.wallStart = System.nanoTime();
		this.machineBusyStart = machineBusyTicks();
		this.jvmStart = processTicks(Paths.get("/proc/self/stat"), false);
		this.postgresStart = postgresTicks(database);
		this.jvmThreadsStart = jvmThreadTicks();
	}

	/**
	 * Starts measuring; {@code database} names a database of the cluster to account for.
	 */
	static CpuShares start(String database) {
		return new CpuShares(database);
	}

	/** CPU seconds used since the start, by whom. */
	record Used(double wall, int cores, double jvm, double postgres, double machine) {

		double others() {
			return Math.max(0, this.machine - this.jvm - this.postgres);
		}

		double othersPercent() {
			return percent(others(), this.wall * this.cores);
		}

		double idlePercent() {
			return percent(Math.max(0, this.wall * this.cores - this.machine), this.wall * this.cores);
		}

	}

	Used used() {
		return new Used((System.nanoTime() - this.wallStart) / 1e9, Runtime.getRuntime().availableProcessors(),
				(processTicks(Paths.get("/proc/self/stat"), false) - this.jvmStart) / TICKS_PER_SECOND,
				(postgresTicks(this.database) - this.postgresStart) / TICKS_PER_SECOND,
				(machineBusyTicks() - this.machineBusyStart) / TICKS_PER_SECOND);
	}

	/** CPU seconds used since the start, and the capacity of the machine in that time. */
	String report() {
		Used u = used();
		double capacity = u.wall() * u.cores();
		return String.format(Locale.ROOT,
				"CPU over %.1f s wall (%d cores = %.1f CPU-s): this JVM %.1f CPU-s (%.0f%%), PostgreSQL %.1f CPU-s"
						+ " (%.0f%%), other processes %.1f CPU-s (%.0f%%), idle %.0f%%",
				u.wall(), u.cores(), capacity, u.jvm(), percent(u.jvm(), capacity), u.postgres(),
				percent(u.postgres(), capacity), u.others(), u.othersPercent(), u.idlePercent());
	}

	/**
	 * This JVM's CPU seconds since the start by thread (Linux thread names, numbers
	 * folded), JIT compiler and GC threads included; threads that ended meanwhile are
	 * missing.
	 */
	List<String> jvmThreads(int top) {
		Map<String, Long> now = jvmThreadTicks();
		Map<String, Long> byGroup = new TreeMap<>();
		long sum = 0;
		for (Map.Entry<String, Long> e : now.entrySet()) {
			long used = e.getValue() - this.jvmThreadsStart.getOrDefault(e.getKey(), 0L);
			String group = e.getKey().substring(e.getKey().indexOf(' ') + 1).replaceAll("\\d+", "N");
			byGroup.merge(group, used, Long::sum);
			sum += used;
		}
		long all = Math.max(1, sum);
		List<String> lines = new ArrayList<>();
		lines.add(String.format(Locale.ROOT, "    %.1f CPU-s in threads alive at the end; by thread name:",
				sum / TICKS_PER_SECOND));
		byGroup.entrySet()
			.stream()
			.sorted(Comparator.comparingLong((Map.Entry<String, Long> e) -> -e.getValue()))
			.limit(top)
			.forEach((e) -> lines.add(String.format(Locale.ROOT, "      %5.1f%% %6.1f CPU-s  %s",
					100.0 * e.getValue() / all, e.getValue() / TICKS_PER_SECOND, e.getKey())));
		return lines;
	}

	/**
	 * The PostgreSQL cluster's CPU seconds since the start by process: each live backend
	 * by user and database (tenant databases folded), and the children that exited and
	 * were reaped meanwhile (autovacuum workers, closed connections) as one.
	 */
	List<String> postgresProcesses(int top) {
		Map<String, Long> now = postgresTicksByProcess(this.database);
		Map<String, Long> byGroup = new TreeMap<>();
		for (Map.Entry<String, Long> e : now.entrySet()) {
			long used = e.getValue() - this.postgresStartByProcess.getOrDefault(e.getKey(), 0L);
			String label = e.getKey().substring(e.getKey().indexOf(' ') + 1);
			byGroup.merge(label, used, Long::sum);
		}
		List<String> lines = new ArrayList<>();
		lines.add("    PostgreSQL's CPU by process:");
		byGroup.entrySet()
			.stream()
			.sorted(Comparator.comparingLong((Map.Entry<String, Long> e) -> -e.getValue()))
			.limit(top)
			.forEach((e) -> lines
				.add(String.format(Locale.ROOT, "      %6.1f CPU-s  %s", e.getValue() / TICKS_PER_SECOND, e.getKey())));
		return lines;
	}

	/**
	 * "pid label" to CPU ticks of the cluster's processes: the postmaster's own with its
	 * reaped children ("pid (postmaster and exited children)"), and each live child's
	 * under its command line without the client's address, tenant database names folded.
	 */
	private static Map<String, Long> postgresTicksByProcess(String database) {
		Map<String, Long> ticks = new HashMap<>();
		long postmaster = postmasterOf(database);
		if (postmaster <= 0) {
			return ticks;
		}
		ticks.put(postmaster + " (postmaster and exited children)",
				processTicks(Paths.get("/proc", String.valueOf(postmaster), "stat"), true));
		try (Stream<Path> all = Files.list(Paths.get("/proc"))) {
			all.filter((p) -> p.getFileName().toString().chars().allMatch(Character::isDigit))
				.filter((p) -> ppid(p) == postmaster)
				.forEach((p) -> {
					try {
						String cmdline = Files.readString(p.resolve("cmdline")).replace('\0', ' ').trim();
						String label = cmdline.replaceAll(" \\d+\\.\\d+\\.\\d+\\.\\d+\\(\\d+\\)", "")
							.replaceAll("_t_[0-9a-f]{32}", "_t_<tenant>")
							.replaceAll(" (idle|BIND|SELECT|INSERT|UPDATE|DELETE|COMMIT|PARSE)( in transaction)?$", "");
						ticks.put(p.getFileName() + " " + label, processTicks(p.resolve("stat"), false));
					}
					catch (IOException | RuntimeException ex) {
						// The process ended meanwhile.
					}
				});
		}
		catch (IOException ex) {
			// No /proc: nothing to report.
		}
		return ticks;
	}

	/** "tid name" to utime + stime of every thread of this JVM. */
	private static Map<String, Long> jvmThreadTicks() {
		Map<String, Long> ticks = new HashMap<>();
		try (Stream<Path> tasks = Files.list(Paths.get("/proc/self/task"))) {
			tasks.forEach((task) -> {
				try {
					String stat = Files.readString(task.resolve("stat"));
					String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
					ticks.put(task.getFileName() + " " + name, processTicks(task.resolve("stat"), false));
				}
				catch (IOException | RuntimeException ex) {
					// The thread ended meanwhile.
				}
			});
		}
		catch (IOException ex) {
			// No /proc: nothing to report.
		}
		return ticks;
	}

	private static double percent(double part, double whole) {
		return (whole > 0) ? 100 * part / whole : 0;
	}

	private static long machineBusyTicks() {
		try {
			String[] f = Files.readAllLines(Paths.get("/proc/stat")).get(0).trim().split("\\s+");
			long total = 0;
			for (int i = 1; i < f.length && i <= 8; i++) {
				total += Long.parseLong(f[i]);
			}
			return total - Long.parseLong(f[4]) - Long.parseLong(f[5]); // less idle and
																		// iowait
		}
		catch (IOException | RuntimeException ex) {
			return 0;
		}
	}

	/**
	 * utime + stime (+ cutime + cstime: children waited for) of a process, in ticks.
	 */
	private static long processTicks(Path stat, boolean withReapedChildren) {
		try {
			String[] f = afterCommand(Files.readString(stat));
			long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
			return withReapedChildren ? ticks + Long.parseLong(f[13]) + Long.parseLong(f[14]) : ticks;
		}
		catch (IOException | RuntimeException ex) {
			return 0;
		}
	}

	/** Fields after "pid (comm) ", so that index 0 is the state. */
	private static String[] afterCommand(String stat) {
		return stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
	}

	private static long ppid(Path proc) {
		try {
			return Long.parseLong(afterCommand(Files.readString(proc.resolve("stat")))[1]);
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

	private static long postmasterOf(String database) {
		try (Stream<Path> all = Files.list(Paths.get("/proc"))) {
			return postmasterOf(
					all.filter((p) -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList(),
					database);
		}
		catch (IOException ex) {
			return -1;
		}
	}

	/** The parent of a backend whose command line names the database, or -1. */
	private static long postmasterOf(List<Path> procs, String database) {
		for (Path proc : procs) {
			try {
				String cmdline = Files.readString(proc.resolve("cmdline")).replace('\0', ' ');
				if (cmdline.startsWith("postgres: ") && cmdline.contains(" " + database + " ")) {
					return ppid(proc);
				}
			}
			catch (IOException ex) {
				// The process ended meanwhile.
			}
		}
		return -1;
	}

	/**
	 * The postmaster is the parent of a backend whose command line names the database;
	 * its own ticks include the backends it reaped, to which its live children are added.
	 */
	private static long postgresTicks(String database) {
		List<Path> procs;
		try (Stream<Path> all = Files.list(Paths.get("/proc"))) {
			procs = all.filter((p) -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList();
		}
		catch (IOException ex) {
			return 0;
		}
		long postmaster = postmasterOf(procs, database);
		if (postmaster <= 0) {
			return 0;
		}
		long ticks = processTicks(Paths.get("/proc", String.valueOf(postmaster), "stat"), true);
		for (Path proc : procs) {
			if (ppid(proc) == postmaster) {
				ticks += processTicks(proc.resolve("stat"), false);
			}
		}
		return ticks;
	}

}
