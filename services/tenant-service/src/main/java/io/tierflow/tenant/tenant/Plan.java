package io.tierflow.tenant.tenant;

import io.tierflow.tenancy.placement.Tier;

/** What a tenant buys; each plan maps to a tier of isolation. */
public enum Plan {

	TRIAL(Tier.SHARED), STANDARD(Tier.SHARED), PROFESSIONAL(Tier.DEDICATED), ENTERPRISE(Tier.ENTERPRISE);

	private final Tier tier;

	Plan(Tier tier) {
		this.tier = tier;
	}

	public Tier tier() {
		return this.tier;
	}

}
