package io.tierflow.events.provisioning;

import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.outbox.Outbox;
import io.tierflow.events.tenant.TenantProvisioned;
import io.tierflow.tenancy.placement.PlacementListener;
import io.tierflow.tenancy.placement.TenantPlacement;

/**
 * Answers tenant.provisioned (READY or FAILED, with the reason) through the control
 * outbox, inside the control transaction that records the placement's state.
 */
public class ProvisioningReplies implements PlacementListener {

	private final String service;

	private final Outbox controlOutbox;

	public ProvisioningReplies(String service, Outbox controlOutbox) {
		this.service = service;
		this.controlOutbox = controlOutbox;
	}

	@Override
	public void placementReady(TenantPlacement placement) {
		reply(placement, TenantProvisioned.READY, null);
	}

	@Override
	public void placementFailed(TenantPlacement placement, String reason) {
		reply(placement, TenantProvisioned.FAILED, reason);
	}

	private void reply(TenantPlacement p, String status, String reason) {
		this.controlOutbox.append(Topics.TENANT_REPLIES, EventTypes.TENANT_PROVISIONED, p.tenantId(), this.service,
				new TenantProvisioned(p.tenantId(), this.service, status, p.tier(), p.isolation(), p.cluster(),
						p.database(), p.schema(), p.epoch(), reason));
	}

}
