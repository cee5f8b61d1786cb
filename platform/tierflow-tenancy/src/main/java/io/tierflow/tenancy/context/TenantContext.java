package io.tierflow.tenancy.context;

import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import org.slf4j.MDC;

/**
 * The tenant the current unit of work acts for. Bound by the web filter from a verified
 * token, by event consumers from the {@code tenantid} CloudEvents extension, and by
 * executors that copy it from the submitting thread. Every binding is a {@link Scope}
 * that restores what was there before, so a pooled thread never keeps the previous
 * tenant.
 */
public final class TenantContext {

	/** MDC key under which the tenant id is logged. */
	public static final String MDC_KEY = "tenant";

	private static final ThreadLocal<UUID> CURRENT = new ThreadLocal<>();

	/** Set while the platform itself works on a suspended tenant's data (an erase). */
	private static final ThreadLocal<Boolean> MAINTENANCE = new ThreadLocal<>();

	private TenantContext() {
	}

	public static Optional<UUID> current() {
		return Optional.ofNullable(CURRENT.get());
	}

	/**
	 * The current tenant.
	 * @throws NoTenantContextException when no tenant is bound to this thread
	 */
	public static UUID require() {
		UUID tenant = CURRENT.get();
		if (tenant == null) {
			throw new NoTenantContextException();
		}
		return tenant;
	}

	/** Binds {@code tenantId} until the returned scope is closed. */
	public static Scope open(UUID tenantId) {
		if (tenantId == null) {
			throw new IllegalArgumentException("tenantId must not be null");
		}
		UUID previous = CURRENT.get();
		bind(tenantId);
		return () -> bind(previous);
	}

	/**
	 * Binds {@code tenantId} for the platform's own work on the tenant's data while the
	 * tenant is suspended (its users are refused): an erase's last steps, such as the
	 * final invoice. Never bound from a request or an event.
	 */
	public static Scope openForMaintenance(UUID tenantId) {
		Scope tenant = open(tenantId);
		Boolean previous = MAINTENANCE.get();
		MAINTENANCE.set(Boolean.TRUE);
		return () -> {
			if (previous == null) {
				MAINTENANCE.remove();
			}
			else {
				MAINTENANCE.set(previous);
			}
			tenant.close();
		};
	}

	/** Whether the current binding is {@link #openForMaintenance maintenance}. */
	public static boolean maintenance() {
		return MAINTENANCE.get() != null;
	}

	public static void run(UUID tenantId, Runnable work) {
		try (Scope scope = open(tenantId)) {
			work.run();
		}
	}

	public static <T> T call(UUID tenantId, Supplier<T> work) {
		try (Scope scope = open(tenantId)) {
			return work.get();
		}
	}

	private static void bind(UUID tenantId) {
		if (tenantId == null) {
			CURRENT.remove();
			MDC.remove(MDC_KEY);
		}
		else {
			CURRENT.set(tenantId);
			MDC.put(MDC_KEY, tenantId.toString());
		}
	}

	/** A tenant binding; closing it restores the previous binding (or none). */
	@FunctionalInterface
	public interface Scope extends AutoCloseable {

		@Override
		void close();

	}

}
