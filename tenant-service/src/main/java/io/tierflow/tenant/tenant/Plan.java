package io.tierflow.tenant.tenant;

import io.tierflow.tenancy.placement.Tier;

/**
 * What a tenant buys: a tier of isolation and a maximum number of users, tenant admins
 * included: TRIAL 3 and STANDARD 10 (SHARED), PROFESSIONAL 50 (DEDICATED), ENTERPRISE
 * 1000. The services grant part of their quotas per user (a seat each), so the limit also
 * caps what a tenant admin can grant their own tenant by adding users. A change to a plan
 * with a lower limit keeps the users the tenant has; it gets no new one until it is below
 * the limit.
 */
public enum Plan {

	TRIAL(Tier.SHARED, 3), STANDARD(Tier.SHARED, 10), PROFESSIONAL(Tier.DEDICATED, 50),
	ENTERPRISE(Tier.ENTERPRISE, 1000);

	private final Tier tier;

	private final int maxUsers;

	Plan(Tier tier, int maxUsers) {
		this.tier = tier;
		this.maxUsers = maxUsers;
	}

	public Tier tier() {
		return this.tier;
	}

	/** How many users a tenant on this plan may have, tenant admins included. */
	public int maxUsers() {
		return this.maxUsers;
	}

}
