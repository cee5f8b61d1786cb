package io.tierflow.tenancy.web;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.tierflow.tenancy.context.TenantContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Counts the API requests each tenant made of this instance since it started, in memory:
 * the per-tenant figure the usage API reports, which metrics never carry (a tenant id is
 * an unbounded label). It runs after the tenant is bound from the token; requests without
 * a tenant are not counted. At most {@value #MAX_TENANTS} tenants are tracked, a bound on
 * memory far above the tenants an instance serves.
 */
public class TenantRequests extends OncePerRequestFilter {

	static final int MAX_TENANTS = 100_000;

	private final Map<UUID, LongAdder> counts = new ConcurrentHashMap<>();

	private final Instant since = Instant.now();

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		TenantContext.current().ifPresent(this::increment);
		chain.doFilter(request, response);
	}

	private void increment(UUID tenant) {
		LongAdder count = this.counts.get(tenant);
		if (count == null) {
			if (this.counts.size() >= MAX_TENANTS) {
				return;
			}
			count = this.counts.computeIfAbsent(tenant, (t) -> new LongAdder());
		}
		count.increment();
	}

	/** Requests {@code tenant} made of this instance since {@link #since()}. */
	public long count(UUID tenant) {
		LongAdder count = this.counts.get(tenant);
		return (count != null) ? count.sum() : 0;
	}

	/** When this instance started counting. */
	public Instant since() {
		return this.since;
	}

	/** Forgets a tenant's count (an erased tenant). */
	public void forget(UUID tenant) {
		this.counts.remove(tenant);
	}

}
