package io.tierflow.tenancy.routing;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
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

	// Proxy.newProxyInstance looks its class up on every call; a cached constructor does
	// not.
	private static final Constructor<?> CONNECTION = proxyConstructor(Connection.class);

	private static final Constructor<?> STATEMENT = proxyConstructor(Statement.class);

	private static final Constructor<?> PREPARED_STATEMENT = proxyConstructor(PreparedStatement.class);

	private static final Constructor<?> CALLABLE_STATEMENT = proxyConstructor(CallableStatement.class);

	private final Connection target;

	private final Timer timer;

	private TimedConnection(Connection target, Timer timer) {
		this.target = target;
		this.timer = timer;
	}

	static Connection wrap(Connection target, Timer timer) {
		return (Connection) newProxy(CONNECTION, new TimedConnection(target, timer));
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
		Object result = call(this.target, method, args);
		if (result instanceof Statement statement) {
			if (name.equals("prepareStatement") && isRouting((String) args[0])) {
				return result;
			}
			Class<?> returned = method.getReturnType();
			Constructor<?> type = (returned == CallableStatement.class) ? CALLABLE_STATEMENT
					: (returned == PreparedStatement.class) ? PREPARED_STATEMENT : STATEMENT;
			return newProxy(type, new TimedStatement(statement, (Connection) proxy));
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

	private static Object call(Object target, Method method, Object[] args) throws Throwable {
		try {
			return method.invoke(target, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getCause();
		}
	}

	private static Constructor<?> proxyConstructor(Class<?> type) {
		try {
			return Proxy
				.newProxyInstance(TimedConnection.class.getClassLoader(), new Class<?>[] { type }, (p, m, a) -> null)
				.getClass()
				.getConstructor(InvocationHandler.class);
		}
		catch (NoSuchMethodException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Object newProxy(Constructor<?> constructor, InvocationHandler handler) {
		try {
			return constructor.newInstance(handler);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
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
					return call(this.target, method, args);
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
					return call(this.target, method, args);
			}
		}

	}

}
