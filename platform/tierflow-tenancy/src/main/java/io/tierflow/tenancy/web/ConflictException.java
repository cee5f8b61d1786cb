package io.tierflow.tenancy.web;

/** The request conflicts with the resource's current state: answered with 409. */
public class ConflictException extends RuntimeException {

	public ConflictException(String message) {
		super(message);
	}

}
