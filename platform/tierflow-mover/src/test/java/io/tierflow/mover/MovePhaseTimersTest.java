package io.tierflow.mover;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tierflow.events.tenant.MovePhase;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MovePhaseTimersTest {

	private final AtomicLong now = new AtomicLong();

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final MovePhaseTimers timers = new MovePhaseTimers(this.now::get);

	@Test
	void everyPhaseHasATimerTaggedByPhaseOnlyBeforeTheFirstMove() {
		this.timers.bindTo(this.meters);
		assertThat(this.meters.get(MovePhaseTimers.METER).timers()).hasSize(MovePhase.values().length)
			.allSatisfy((timer) -> {
				assertThat(timer.getId().getTags()).extracting(Tag::getKey).containsExactly("phase");
				assertThat(timer.count()).isZero();
			});
	}

	@Test
	void timesEachSpanOfAPhaseFromItsFirstReportToTheNextPhase() {
		this.timers.bindTo(this.meters);
		MovePhaseTimers.Clock clock = this.timers.start();
		at(0, () -> clock.enter(MovePhase.PREPARING));
		at(2_000, () -> clock.enter(MovePhase.COPYING));
		at(2_200, () -> clock.enter(MovePhase.COPYING));
		at(5_000, () -> clock.enter(MovePhase.STREAMING));
		at(6_000, () -> clock.enter(MovePhase.STREAMING));
		at(7_000, () -> clock.enter(MovePhase.VERIFYING));
		at(7_500, () -> clock.enter(MovePhase.STREAMING));
		at(7_600, () -> clock.enter(MovePhase.FENCED));
		at(7_650, () -> clock.enter(MovePhase.SWITCHED));
		at(7_700, clock::end);

		assertThat(millis(MovePhase.PREPARING)).isEqualTo(2_000);
		assertThat(millis(MovePhase.COPYING)).isEqualTo(3_000);
		assertThat(timer(MovePhase.STREAMING).count()).isEqualTo(2);
		assertThat(millis(MovePhase.STREAMING)).isEqualTo(2_100);
		assertThat(millis(MovePhase.VERIFYING)).isEqualTo(500);
		assertThat(millis(MovePhase.FENCED)).isEqualTo(50);
		assertThat(millis(MovePhase.SWITCHED)).isEqualTo(50);
		assertThat(timer(MovePhase.REMOVING_SOURCE).count()).isZero();
		assertThat(timer(MovePhase.ABORTED).count()).isZero();
	}

	@Test
	void aMoveThatGivesUpTimesThePhaseItFailedInAndItsAbort() {
		this.timers.bindTo(this.meters);
		MovePhaseTimers.Clock clock = this.timers.start();
		at(0, () -> clock.enter(MovePhase.PREPARING));
		at(100, () -> clock.enter(MovePhase.STREAMING));
		at(30_100, () -> clock.enter(MovePhase.ABORTED));
		at(30_120, clock::end);

		assertThat(millis(MovePhase.STREAMING)).isEqualTo(30_000);
		assertThat(millis(MovePhase.ABORTED)).isEqualTo(20);
		assertThat(timer(MovePhase.SWITCHED).count()).isZero();
	}

	@Test
	void theAgeGaugeShowsTheOldestRunningMoveInEachPhaseUntilItMovesOn() {
		this.timers.bindTo(this.meters);
		MovePhaseTimers.Clock first = this.timers.start();
		MovePhaseTimers.Clock second = this.timers.start();
		at(0, () -> first.enter(MovePhase.STREAMING));
		at(1_000, () -> second.enter(MovePhase.STREAMING));
		this.now.set(TimeUnit.MILLISECONDS.toNanos(91_000));
		assertThat(age(MovePhase.STREAMING)).isEqualTo(91.0);
		assertThat(age(MovePhase.COPYING)).isZero();
		at(92_000, () -> first.enter(MovePhase.FENCED));
		this.now.set(TimeUnit.MILLISECONDS.toNanos(92_500));
		assertThat(age(MovePhase.STREAMING)).isEqualTo(91.5);
		assertThat(age(MovePhase.FENCED)).isEqualTo(0.5);
		at(93_000, first::end);
		at(93_000, second::end);
		assertThat(age(MovePhase.STREAMING)).isZero();
		assertThat(age(MovePhase.FENCED)).isZero();
	}

	@Test
	void anUnboundTimerIsNoFailure() {
		MovePhaseTimers.Clock clock = this.timers.start();
		clock.enter(MovePhase.PREPARING);
		clock.end();
		assertThat(this.meters.getMeters()).isEmpty();
	}

	private void at(long millis, Runnable action) {
		this.now.set(TimeUnit.MILLISECONDS.toNanos(millis));
		action.run();
	}

	private Timer timer(MovePhase phase) {
		return this.meters.get(MovePhaseTimers.METER).tag("phase", phase.name().toLowerCase(Locale.ROOT)).timer();
	}

	private double millis(MovePhase phase) {
		return timer(phase).totalTime(TimeUnit.MILLISECONDS);
	}

	private double age(MovePhase phase) {
		return this.meters.get(MovePhaseTimers.AGE).tag("phase", phase.name().toLowerCase(Locale.ROOT)).gauge().value();
	}

}
