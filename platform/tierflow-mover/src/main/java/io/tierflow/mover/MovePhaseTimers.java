package io.tierflow.mover;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tierflow.events.tenant.MovePhase;

/**
 * How long tier moves spend in each phase: the timer {@value #METER}, tagged with the
 * {@link MovePhase} in lower case and nothing else (never the tenant or the move). A
 * phase reported several times in a row is one span; a phase entered again later (the
 * stream catching up again after the verification) is another. The gauge {@value #AGE} is
 * how long the oldest move running on this instance has been in its current phase, per
 * phase (0 when none is), so an alert sees a move stuck in one phase while it is.
 */
public class MovePhaseTimers implements MeterBinder {

	/** Time spent in one phase of a tier move. */
	public static final String METER = "tierflow.move.phase.duration";

	/** Seconds the oldest running move has spent in its current phase. */
	public static final String AGE = "tierflow.move.phase.age";

	private final LongSupplier nanoTime;

	/** The moves running here. */
	private final java.util.Set<Clock> running = java.util.concurrent.ConcurrentHashMap.newKeySet();

	private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

	public MovePhaseTimers() {
		this(System::nanoTime);
	}

	/**
	 * @param nanoTime the clock, like {@link System#nanoTime()}
	 */
	MovePhaseTimers(LongSupplier nanoTime) {
		this.nanoTime = nanoTime;
	}

	/** Registers a timer for every phase, so that each shows before its first move. */
	@Override
	public void bindTo(MeterRegistry registry) {
		for (MovePhase phase : MovePhase.values()) {
			timer(registry, phase);
			io.micrometer.core.instrument.Gauge.builder(AGE, this, (timers) -> timers.oldestIn(phase))
				.description("How long the oldest tier move running on this instance has been in this phase")
				.baseUnit("seconds")
				.tag("phase", phase.name().toLowerCase(Locale.ROOT))
				.register(registry);
		}
		this.registries.add(registry);
	}

	/** Starts timing one move's phases. */
	Clock start() {
		Clock clock = new Clock();
		this.running.add(clock);
		return clock;
	}

	/** Seconds since the oldest running move entered {@code phase}, or 0. */
	double oldestIn(MovePhase phase) {
		long now = this.nanoTime.getAsLong();
		long oldest = 0;
		for (Clock clock : this.running) {
			if (clock.current == phase) {
				oldest = Math.max(oldest, now - clock.since);
			}
		}
		return oldest / 1e9;
	}

	private static Timer timer(MeterRegistry registry, MovePhase phase) {
		return Timer.builder(METER)
			.description("Time a tier move spent in one phase")
			.tag("phase", phase.name().toLowerCase(Locale.ROOT))
			.register(registry);
	}

	/** The phases of one move; used by the thread that runs it. */
	final class Clock {

		private volatile MovePhase current;

		private volatile long since;

		/**
		 * The move reports {@code phase}: ends the span of the phase before if it
		 * differs.
		 */
		void enter(MovePhase phase) {
			if (phase == this.current) {
				return;
			}
			long now = MovePhaseTimers.this.nanoTime.getAsLong();
			record(now);
			this.since = now;
			this.current = phase;
		}

		/** The move ended: ends the span of its last phase. */
		void end() {
			record(MovePhaseTimers.this.nanoTime.getAsLong());
			this.current = null;
			MovePhaseTimers.this.running.remove(this);
		}

		private void record(long now) {
			if (this.current != null) {
				for (MeterRegistry registry : MovePhaseTimers.this.registries) {
					timer(registry, this.current).record(now - this.since, TimeUnit.NANOSECONDS);
				}
			}
		}

	}

}
