package io.tierflow.tenancy.autopilot;

import java.util.UUID;

/** The tenant has no ready placement in this service (answered with 404). */
public class AutopilotNotFoundException extends RuntimeException {

	public AutopilotNotFoundException(UUID tenant) {
		super("Tenant " + tenant + " has no ready placement here");
	}

}
