package io.tierflow.simulation.run;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * How many progress streams are open on this instance, in all and per tenant. Each open
 * stream holds a connection and, for a run computed elsewhere, reads the run's row every
 * second; so both are capped ({@link SimulationProperties.ProgressStreams}), and a stream
 * over a cap is refused with 429 before it opens. A slot is given back once, when its
 * stream ends however it ends.
 */
class ProgressStreamSlots {

	/** Streams usually last as long as a run: a client waits a little and asks again. */
	static final String RETRY_AFTER_SECONDS = "5";

	private final SimulationProperties.ProgressStreams limits;

	private final Map<UUID, Integer> perTenant = new HashMap<>();

	private int open;

	ProgressStreamSlots(SimulationProperties.ProgressStreams limits) {
		this.limits = limits;
	}

	/**
	 * Takes a slot for a stream of the tenant.
	 * @throws ErrorResponseException 429 problem with {@code Retry-After}, naming the
	 * limit, when the tenant or the instance has as many streams open as allowed
	 */
	synchronized Slot acquire(UUID tenant) {
		int tenantOpen = this.perTenant.getOrDefault(tenant, 0);
		if (tenantOpen >= this.limits.perTenant()) {
			throw tooMany("progressStreamsPerTenant", this.limits.perTenant(),
					"The tenant may follow " + this.limits.perTenant()
							+ " runs' progress at once on this instance and does; close a progress stream first");
		}
		if (this.open >= this.limits.perInstance()) {
			throw tooMany("progressStreamsPerInstance", this.limits.perInstance(),
					"This instance serves as many progress streams as it may (" + this.limits.perInstance()
							+ "); ask again shortly");
		}
		this.perTenant.put(tenant, tenantOpen + 1);
		this.open++;
		return new Slot(tenant);
	}

	synchronized int open() {
		return this.open;
	}

	synchronized int open(UUID tenant) {
		return this.perTenant.getOrDefault(tenant, 0);
	}

	private synchronized void release(UUID tenant) {
		this.open--;
		// No entry for a tenant without streams: the map is as large as the tenants
		// streaming now.
		this.perTenant.computeIfPresent(tenant, (t, count) -> (count > 1) ? count - 1 : null);
	}

	private static ErrorResponseException tooMany(String limit, int value, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS, detail);
		problem.setTitle("Too many progress streams");
		problem.setProperty("limit", limit);
		problem.setProperty("limitValue", value);
		ErrorResponseException ex = new ErrorResponseException(HttpStatus.TOO_MANY_REQUESTS, problem, null);
		ex.getHeaders().set(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
		return ex;
	}

	/** One open stream's slot; releasing it more than once releases it once. */
	final class Slot {

		private final UUID tenant;

		private final AtomicBoolean released = new AtomicBoolean();

		private Slot(UUID tenant) {
			this.tenant = tenant;
		}

		void release() {
			if (this.released.compareAndSet(false, true)) {
				ProgressStreamSlots.this.release(this.tenant);
			}
		}

	}

}
