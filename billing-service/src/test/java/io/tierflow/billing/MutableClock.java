package io.tierflow.billing;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock tests set: the system's time until told otherwise. */
class MutableClock extends Clock {

	private volatile Instant fixed;

	void set(String instant) {
		this.fixed = Instant.parse(instant);
	}

	void reset() {
		this.fixed = null;
	}

	@Override
	public ZoneId getZone() {
		return ZoneOffset.UTC;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		return this;
	}

	@Override
	public Instant instant() {
		Instant at = this.fixed;
		return (at != null) ? at : Instant.now();
	}

}
