package io.tierflow.tenant.tenant;

import java.util.List;

/** A request named a service that takes no part in tier changes: answered with 400. */
class UnknownServiceException extends RuntimeException {

	private final String service;

	UnknownServiceException(String service, List<String> known) {
		super("Unknown service '" + service + "'; the tenant-data services are " + known);
		this.service = service;
	}

	String service() {
		return this.service;
	}

}
