-- A billing period is one calendar month (UTC) of one tenant. Its id is the id of its
-- invoice, the same while it is a draft and once it is final. closed_at is set, once, by
-- finalization: usage recorded afterwards for that month goes to the next open period.
create table billing_period (
    tenant_id  uuid        not null,
    period     date        not null, -- first day of the month
    id         uuid        not null,
    closed_at  timestamptz,
    primary key (tenant_id, period)
);

create unique index billing_period_id on billing_period (tenant_id, id);

-- One row per metered event (the event id is kept: every invoice line names its events).
-- kind: ITERATIONS (simulation iterations), STORAGE_BYTES (a signed delta of stored
-- bytes at occurred_at), USERS (users created). period: the billing period it is charged
-- in; differs from the month of occurred_at only for late usage, explained in note.
create table usage_record (
    tenant_id   uuid        not null,
    id          uuid        not null,
    event_id    text        not null,
    event_type  text        not null,
    kind        text        not null,
    quantity    bigint      not null,
    occurred_at timestamptz not null,
    period      date        not null,
    note        text,
    recorded_at timestamptz not null default now(),
    primary key (tenant_id, id)
);

create unique index usage_record_event on usage_record (tenant_id, event_id);
create index usage_record_period on usage_record (tenant_id, period, kind, occurred_at);
create index usage_record_occurred on usage_record (tenant_id, kind, occurred_at);

-- The tenant's tier over time, from tenant.created and tenant.tier_changed: the base fee
-- is prorated by the day over it.
create table tier_period (
    tenant_id    uuid        not null,
    id           uuid        not null,
    event_id     text        not null,
    tier         text        not null, -- a PriceTier: the tier, and for DEDICATED its isolation
    effective_at timestamptz not null,
    primary key (tenant_id, id)
);

create unique index tier_period_event on tier_period (tenant_id, event_id);

-- Final invoices: written once, at finalization, never updated.
create table invoice (
    tenant_id    uuid           not null,
    id           uuid           not null,
    period       date           not null,
    currency     text           not null,
    total        numeric(14, 2) not null,
    finalized_at timestamptz    not null,
    primary key (tenant_id, id)
);

create unique index invoice_period on invoice (tenant_id, period);

create table invoice_line (
    tenant_id   uuid           not null,
    invoice_id  uuid           not null,
    line_no     int            not null,
    kind        text           not null,
    description text           not null,
    quantity    numeric        not null,
    unit        text           not null,
    unit_price  numeric        not null,
    amount      numeric(14, 2) not null,
    event_ids   text           not null, -- JSON array of event ids
    note        text,
    primary key (tenant_id, invoice_id, line_no)
);
