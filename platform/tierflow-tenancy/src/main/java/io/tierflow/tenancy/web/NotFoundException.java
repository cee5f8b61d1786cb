package io.tierflow.tenancy.web;

/**
 * A resource named in the request does not exist for the current tenant: answered with
 * 404.
 */
public class NotFoundException extends RuntimeException {

	public NotFoundException(String message) {
		super(message);
	}

}
