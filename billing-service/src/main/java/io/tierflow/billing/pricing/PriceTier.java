package io.tierflow.billing.pricing;

import io.tierflow.tenancy.placement.IsolationMode;
import io.tierflow.tenancy.placement.Tier;

/**
 * What a tenant is priced as: its tier, and for the dedicated tier the isolation this
 * service gives it (a dedicated database costs more to run than a dedicated schema).
 */
public enum PriceTier {

	SHARED, DEDICATED_SCHEMA, DEDICATED_DATABASE, ENTERPRISE;

	public static PriceTier of(Tier tier, IsolationMode isolation) {
		return switch (tier) {
			case SHARED -> SHARED;
			case DEDICATED -> (isolation == IsolationMode.DATABASE) ? DEDICATED_DATABASE : DEDICATED_SCHEMA;
			case ENTERPRISE -> ENTERPRISE;
		};
	}

}
