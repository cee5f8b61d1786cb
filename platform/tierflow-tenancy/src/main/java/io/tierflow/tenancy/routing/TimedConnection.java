package io.tierflow.tenancy.routing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Timer;

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

	private final Timer timer;

	private TimedConnection(Connection target, Timer timer) {
		this.target = target;
		this.timer = timer;
	}

	static Connection wrap(Connection target, Timer timer) {
		return CONNECTION.create(new TimedConnection(target, timer));
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
			return type.create(new TimedStatement(statement, (Connection) proxy));
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

	/** Times {@code execute*}; the rest goes to the statement as it is. */
	private final class TimedStatement implements InvocationHandler {

		private final Statement target;

		private final Connection connection;

		TimedStatement(Statement target, Connection connection) {
			this.target = target;
			this.connection = connection;
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
					TimedConnection.this.timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
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
