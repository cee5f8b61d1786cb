package io.tierflow.mover;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * How long tier moves spend in each phase: the timer {@value #METER}, tagged with the
 * {@link MovePhase} in lower case and nothing else (never the tenant or the move). A
 * phase reported several times in a row is one span; a phase entered again later (the
 * stream catching up again after the verification) is another.
 */
public class MovePhaseTimers implements MeterBinder {

	/** Time spent in one phase of a tier move. */
	public static final String METER = "tierflow.move.phase.duration";

	private final LongSupplier nanoTime;

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
		}
		this.registries.add(registry);
	}

	/** Starts timing one move's phases. */
	Clock start() {
		return new Clock();
	}

	private static Timer timer(MeterRegistry registry, MovePhase phase) {
		return Timer.builder(METER)
			.description("Time a tier move spent in one phase")
			.tag("phase", phase.name().toLowerCase(Locale.ROOT))
			.register(registry);
	}

	/** The phases of one move; used by the thread that runs it. */
	final class Clock {

		private MovePhase current;

		private long since;

		/**
		 * The move reports {@code phase}: ends the span of the phase before if it
		 * differs. A name that is no {@link MovePhase} is not timed.
		 */
		void enter(String phase) {
			MovePhase next;
			try {
				next = MovePhase.valueOf(phase);
			}
			catch (IllegalArgumentException ex) {
				return;
			}
			if (next == this.current) {
				return;
			}
			long now = MovePhaseTimers.this.nanoTime.getAsLong();
			record(now);
			this.current = next;
			this.since = now;
		}

		/** The move ended: ends the span of its last phase. */
		void end() {
			record(MovePhaseTimers.this.nanoTime.getAsLong());
			this.current = null;
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
