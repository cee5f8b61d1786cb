package io.tierflow.tenancy.routing;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * A JDK proxy class of one JDBC interface, made once: {@link Proxy#newProxyInstance}
 * looks the class up on every call, which is measurable once per statement on a request
 * that takes a millisecond; the cached constructor is not. Used by the connections the
 * routing lends ({@link TenantConnection}, {@link TimedConnection}).
 */
final class JdbcProxy<T> {

	private final Class<T> type;

	private final Constructor<?> constructor;

	private JdbcProxy(Class<T> type) {
		this.type = type;
		try {
			this.constructor = Proxy
				.newProxyInstance(JdbcProxy.class.getClassLoader(), new Class<?>[] { type }, (p, m, a) -> null)
				.getClass()
				.getConstructor(InvocationHandler.class);
		}
		catch (NoSuchMethodException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static <T> JdbcProxy<T> of(Class<T> type) {
		return new JdbcProxy<>(type);
	}

	/** A new proxy of the interface, handled by {@code handler}. */
	T create(InvocationHandler handler) {
		try {
			return this.type.cast(this.constructor.newInstance(handler));
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Calls {@code method} on {@code target}, throwing what the method threw. */
	static Object call(Object target, Method method, Object[] args) throws Throwable {
		try {
			return method.invoke(target, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getCause();
		}
	}

}
