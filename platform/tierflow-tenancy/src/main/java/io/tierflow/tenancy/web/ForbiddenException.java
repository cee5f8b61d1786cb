package io.tierflow.tenancy.web;

/**
 * The caller may not do this to this resource (it is someone else's): answered with 403
 * and the message. For what the token's roles forbid outright, method security answers.
 */
public class ForbiddenException extends RuntimeException {

	public ForbiddenException(String message) {
		super(message);
	}

}
