package io.tierflow.events;

/**
 * An event that can never be processed: it goes to the dead-letter topic, not back to
 * retry.
 */
public class MalformedEventException extends RuntimeException {

	public MalformedEventException(String message) {
		super(message);
	}

}
