-- The plan's tier: the least isolation the customer paid for, set when the tenant is placed and
-- by every move that carries a plan change (tenant-service's tier change). The placement's tier
-- may be stronger (the autopilot), never weaker.
alter table tenant_placement add column plan_tier text;
update tenant_placement set plan_tier = tier;

-- Cheap per-tenant figures of this service (TenantStatistics): rows and bytes measured off the
-- request path for tenants that wrote since, and each instance's queries, writes and latency
-- histogram of the current window added in; the last closed window's rate and p95 beside them.
create table tenant_statistics (
    tenant_id         uuid             primary key,
    rows              bigint,
    bytes             bigint,
    tables            jsonb,
    measured_at       timestamptz,
    queries           bigint           not null default 0,
    writes            bigint           not null default 0,
    latency           bigint[]         not null default '{}',
    window_started_at timestamptz      not null default now(),
    writes_per_s      double precision,
    p95_ms            double precision,
    window_ended_at   timestamptz,
    dirty             boolean          not null default true
);

-- Operators' word on a tenant's placement: PIN keeps it at a tier (never below its plan),
-- FREEZE forbids the autopilot to move it at all.
create table placement_override (
    tenant_id  uuid        primary key,
    mode       text        not null check (mode in ('PIN', 'FREEZE')),
    tier       text,
    reason     text,
    created_by text        not null,
    created_at timestamptz not null default now()
);

-- Every placement decision of the autopilot, approved by an operator or applied by a policy, and
-- the move that carried it out: the placement's audit trail.
create table placement_decision (
    decision_id uuid        primary key,
    tenant_id   uuid        not null,
    from_tier   text        not null,
    from_cluster text       not null,
    to_tier     text        not null,
    reason      text        not null,
    figures     jsonb,
    decided_by  text        not null,
    mode        text        not null check (mode in ('APPROVED', 'AUTO')),
    state       text        not null check (state in ('QUEUED', 'MOVING', 'MOVED', 'FAILED')),
    move_id     uuid,
    error       text,
    created_at  timestamptz not null default now(),
    ended_at    timestamptz
);

create index placement_decision_tenant on placement_decision (tenant_id, created_at desc);
create index placement_decision_open on placement_decision (state) where state in ('QUEUED', 'MOVING');

-- The placement policy set over the admin API, over the configuration's (one row, or none).
create table placement_policy (
    id         int         primary key check (id = 1),
    policy     jsonb       not null,
    updated_by text        not null,
    updated_at timestamptz not null default now()
);
