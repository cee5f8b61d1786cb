-- Usage events of tenants that have no ready placement here (not provisioned yet,
-- provisioning failed, suspended). Kept in the control database, the one place that
-- exists before the tenant's store does, and replayed through the inbox once the tenant
-- is ready: parked, never lost, and never blocking other tenants' events.
create table parked_usage_event (
    tenant_id  uuid        not null,
    event_id   text        not null,
    type       text        not null,
    source     text        not null,
    subject    text,
    time       timestamptz,
    data       bytea       not null,
    reason     text        not null,
    parked_at  timestamptz not null default now(),
    primary key (tenant_id, event_id)
);

create index parked_usage_event_order on parked_usage_event (parked_at);
