-- Runs of a tenant's models. A run is inserted RUNNING together with its
-- simulation.started event, computed by the instance that accepted it (which refreshes
-- heartbeat_at while it computes), and finished in one transaction with its
-- simulation.completed or simulation.failed event. A RUNNING run whose heartbeat stops
-- (its instance died) is failed by the stale-run sweep.
create table simulation_run (
    tenant_id        uuid        not null,
    id               uuid        not null,
    model_id         uuid        not null,
    iterations       bigint      not null check (iterations > 0),
    seed             bigint      not null,
    status           text        not null
                     check (status in ('QUEUED', 'RUNNING', 'COMPLETED', 'CANCELLED', 'FAILED')),
    requested_by     text        not null,
    created_at       timestamptz not null default now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    heartbeat_at     timestamptz,
    cancel_requested boolean     not null default false,
    iterations_done  bigint      not null default 0 check (iterations_done >= 0),
    cpu_ms           bigint,
    duration_ms      bigint,
    result           jsonb,
    error            text,
    primary key (tenant_id, id)
);

-- Quota checks: runs in progress, and runs started this month.
create index simulation_run_active on simulation_run (tenant_id, status) where status in ('QUEUED', 'RUNNING');
create index simulation_run_created on simulation_run (tenant_id, created_at);
