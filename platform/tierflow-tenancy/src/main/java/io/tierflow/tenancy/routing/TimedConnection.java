package io.tierflow.tenancy.routing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Timer;
import io.tierflow.tenancy.autopilot.TenantActivity;
import io.tierflow.tenancy.context.TenantContext;
import org.jspecify.annotations.Nullable;

/**
 * A connection whose statements' executions are recorded in a timer
 * ({@link StatementTimers}); everything else goes straight to the pool's connection.
 */
final class TimedConnection implements InvocationHandler {

	private static final JdbcProxy<Connection> CONNECTION = JdbcProxy.of(Connection.class);

	private static final JdbcProxy<Statement> STATEMENT = JdbcProxy.of(Statement.class);

	private static final JdbcProxy<PreparedStatement> PREPARED_STATEMENT = JdbcProxy.of(PreparedStatement.class);

	private static final JdbcProxy<CallableStatement> CALLABLE_STATEMENT = JdbcProxy.of(CallableStatement.class);

	private final Connection target;

	private final @Nullable Timer timer;

	private final @Nullable TenantActivity activity;

	private TimedConnection(Connection target, @Nullable Timer timer, @Nullable TenantActivity activity) {
		this.target = target;
		this.timer = timer;
		this.activity = activity;
	}

	/**
	 * {@code target}, its statements recorded in {@code timer} and as the current
	 * tenant's activity; either may be null.
	 */
	static Connection wrap(Connection target, @Nullable Timer timer, @Nullable TenantActivity activity) {
		return CONNECTION.create(new TimedConnection(target, timer, activity));
	}

	@Override
	public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
		String name = method.getName();
		switch (name) {
			case "equals":
				return proxy == args[0];
			case "hashCode":
				return System.identityHashCode(proxy);
			default:
		}
		Object result = JdbcProxy.call(this.target, method, args);
		if (result instanceof Statement statement) {
			if (name.equals("prepareStatement") && isRouting((String) args[0])) {
				return result;
			}
			Class<?> returned = method.getReturnType();
			JdbcProxy<?> type = (returned == CallableStatement.class) ? CALLABLE_STATEMENT
					: (returned == PreparedStatement.class) ? PREPARED_STATEMENT : STATEMENT;
			boolean write = name.startsWith("prepare") && args != null && args.length > 0
					&& args[0] instanceof String sql && isWrite(sql);
			return type.create(new TimedStatement(statement, (Connection) proxy, write));
		}
		return result;
	}

	/**
	 * The routing's own statements, alone: the tenant settings and the tier-move fence. A
	 * settings statement carrying a query ({@code select set_config(…); select …}) is the
	 * query's, and timed.
	 */
	static boolean isRouting(String sql) {
		int start = 0;
		if (sql.startsWith("/* ")) {
			// The schema tag TenantConnection gives every statement in SCHEMA mode.
			int end = sql.indexOf(" */ ");
			start = (end < 0) ? 0 : end + 4;
		}
		return (sql.startsWith("select set_config(", start) || sql.startsWith("select tierflow_fence.", start))
				&& sql.indexOf(';', start) < 0;
	}

	/**
	 * Whether a statement writes: its first word (after the schema tag, the tenant
	 * settings and a {@code with} clause's name) is {@code insert}, {@code update},
	 * {@code delete}, {@code merge} or {@code copy}. A writing CTE under a {@code select}
	 * counts as a read.
	 */
	static boolean isWrite(String sql) {
		int i = 0;
		if (sql.startsWith("/* ")) {
			int end = sql.indexOf(" */ ");
			i = (end < 0) ? 0 : end + 4;
		}
		if (sql.startsWith("select set_config(", i)) {
			int semicolon = sql.indexOf(';', i);
			i = (semicolon < 0) ? sql.length() : semicolon + 1;
		}
		while (i < sql.length() && Character.isWhitespace(sql.charAt(i))) {
			i++;
		}
		return startsWithWord(sql, i, "insert") || startsWithWord(sql, i, "update") || startsWithWord(sql, i, "delete")
				|| startsWithWord(sql, i, "merge") || startsWithWord(sql, i, "copy");
	}

	private static boolean startsWithWord(String sql, int at, String word) {
		return sql.regionMatches(true, at, word, 0, word.length());
	}

	/** Times {@code execute*}; the rest goes to the statement as it is. */
	private final class TimedStatement implements InvocationHandler {

		private final Statement target;

		private final Connection connection;

		private final boolean write;

		TimedStatement(Statement target, Connection connection, boolean write) {
			this.target = target;
			this.connection = connection;
			this.write = write;
		}

		@Override
		public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
			String name = method.getName();
			if (name.startsWith("execute")) {
				long start = System.nanoTime();
				try {
					return JdbcProxy.call(this.target, method, args);
				}
				finally {
					long took = System.nanoTime() - start;
					if (TimedConnection.this.timer != null) {
						TimedConnection.this.timer.record(took, TimeUnit.NANOSECONDS);
					}
					TenantActivity activity = TimedConnection.this.activity;
					UUID tenant = (activity != null) ? TenantContext.current().orElse(null) : null;
					if (tenant != null) {
						boolean write = this.write
								|| (args != null && args.length > 0 && args[0] instanceof String sql && isWrite(sql));
						activity.record(tenant, took, write);
					}
				}
			}
			switch (name) {
				case "getConnection":
					return this.connection;
				case "equals":
					return proxy == args[0];
				case "hashCode":
					return System.identityHashCode(proxy);
				default:
					return JdbcProxy.call(this.target, method, args);
			}
		}

	}

}
