package io.tierflow.events;

/**
 * An event that can never be processed: it goes to the dead-letter topic, not back to
 * retry.
 */
public class MalformedEventException extends RuntimeException {

	private final DeadLetters.Reason reason;

	public MalformedEventException(String message) {
		this(message, DeadLetters.Reason.MALFORMED);
	}

	/**
	 * @param reason why it is dead-lettered, {@link DeadLetters.Reason#MALFORMED} or
	 * {@link DeadLetters.Reason#TENANT_MISMATCH}
	 */
	public MalformedEventException(String message, DeadLetters.Reason reason) {
		super(message);
		this.reason = reason;
	}

	/** Why the event is dead-lettered. */
	public DeadLetters.Reason reason() {
		return this.reason;
	}

}
