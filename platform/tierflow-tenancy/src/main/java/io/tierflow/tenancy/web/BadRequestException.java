package io.tierflow.tenancy.web;

/**
 * The request asks for something invalid that only the service can tell (not a field's
 * constraint): answered with 400.
 */
public class BadRequestException extends RuntimeException {

	public BadRequestException(String message) {
		super(message);
	}

}
